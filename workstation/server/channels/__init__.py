"""Channel adapters: webhook intake (chat, app, SMS, social, live stream, web form), phone
events from the CTI, e-mail in over SMTP and e-mail out through a relay.

Everything a customer sends goes through `intake` so every channel lands in one inbox, on one
customer (see `workstation.server.identity`).
"""
