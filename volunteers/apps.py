from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'volunteers'

    def ready(self):
        from scheduler_site.access import use_people

        from .access import PEOPLE

        use_people(PEOPLE)  # the shell's page guards ask volunteers who is staff and which member a login is
