from django.apps import AppConfig


class ShiftsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'shifts'

    def ready(self):
        from .feeds import receivers  # noqa: F401  connects the feed receivers
        from .services import receivers as lifecycle_receivers  # noqa: F401  re-plans on availability_changed
