"""Deadlines and escalation (时限与督办): policies, the clocks of a case, and the steps taken when
a clock runs out (reminder, escalation village → township → county, closing an unconfirmed reply)."""
