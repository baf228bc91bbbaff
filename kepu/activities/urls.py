from . import urls_public, urls_work

app_name = "activities"
urlpatterns = urls_public.urlpatterns + urls_work.urlpatterns
