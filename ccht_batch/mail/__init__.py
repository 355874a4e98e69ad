"""E-mail: composing the month's and the year's messages, and sending them exactly once over SMTP.
"""
