from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from kepu.core.text import normalise_phone

from .models import User


class PhoneOrEmailBackend(ModelBackend):
    """Password sign-in with either the phone number or the e-mail address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        username = username.strip()
        lookup = (
            Q(email=username.lower()) if "@" in username else Q(phone=normalise_phone(username))
        )
        user = User.objects.filter(lookup).first()
        if user is None:
            User().set_password(password)  # same cost as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
