"""The service kit: what every Gravity service is built from.

``handlers``: one table per service from command to handler, and the machinery around each
handler (unit of work, retries on conflict, inbox claims, a log line per committed event).
``service``: the nameko side (one line per RPC method, one per consumed event type).
``client``: the typed way a caller (the gateway) sends commands to any service.
"""
