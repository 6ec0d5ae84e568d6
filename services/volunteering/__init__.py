"""The volunteering service: activities in the home district, their seats, volunteers' hours
and how many people each activity reached."""
