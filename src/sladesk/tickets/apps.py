from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "sladesk.tickets"
    label = "tickets"
    verbose_name = "Tickets"
