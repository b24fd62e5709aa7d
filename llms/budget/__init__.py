"""Monthly budgets that act: their state and alerts (rules.py, pure), reservation and settlement against hard caps
(enforcer.py, on the app), and the 429 a refused request gets (refusal.py)."""
