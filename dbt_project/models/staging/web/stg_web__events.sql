{{ web_events_staged(source('web', 'events')) }}
