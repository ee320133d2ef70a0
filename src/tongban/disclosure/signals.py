"""Hooks disclosure offers to the apps above it (DESIGN.md seams; disclosure stands on identity
alone and imports none of them).

`message_received(sender="disclosure", reference, author, title, text, region, name, site)` is
sent when a message left on a site whose `messages_to_hotline` is on must be handed over
(after the message committed, and again by the hourly job until handed over). A receiver that
takes the message (the 12345 hotline turns it into a ticket) returns its ticket number, which
disclosure records on the message; a receiver that raises leaves the message to the next try."""

from django.dispatch import Signal

message_received = Signal()
