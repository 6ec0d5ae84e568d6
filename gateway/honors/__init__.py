"""Honours in the gateway: awards and certificates, appointments and letters, consents,
recommendations, diaries and the showcase, the second-classroom transcript, the documents
as PDF, and the public verification of serials (routes, read endpoints, read models)."""
