from django.contrib import admin
from rest_framework_api_key.models import APIKey

# The package's own key table is not used (integrations.SystemAPIKey is): keep it out of the admin.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)
