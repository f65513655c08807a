from django.apps import AppConfig


class ShiftsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'shifts'

    def ready(self):
        from scheduler_site import checks  # noqa: F401  site-wide start-up checks (the project has no site app)
        from shifts.delivered import receivers as delivered_receivers  # noqa: F401  hours on My details
        from shifts.feeds import receivers  # noqa: F401  connects the feed receivers
        from shifts.rostering import receivers as lifecycle_receivers  # noqa: F401  answers volunteers.signals
        from shifts.rostering.cover import receivers as cover_receivers  # noqa: F401  key 1 on a cover call
