from . import urls_public, urls_work

app_name = "campaigns"
urlpatterns = urls_public.urlpatterns + urls_work.urlpatterns
