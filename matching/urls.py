from .urls_choice import urlpatterns as choice_urlpatterns
from .urls_console import urlpatterns as console_urlpatterns

app_name = "matching"

urlpatterns = [*console_urlpatterns, *choice_urlpatterns]
