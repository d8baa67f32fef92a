"""Feature names shared by ACME's training and serving code."""

FEATURES = ("tenure_months", "monthly_charges", "support_tickets_90d")
