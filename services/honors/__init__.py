"""The honours service: titles and awards with certificates, deputy secretary appointments
with letters, consents, recommendations to universities and the diary showcase."""
