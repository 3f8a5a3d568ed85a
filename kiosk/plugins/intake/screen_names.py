"""The names of the intake's screens, importable without Kivy (the hooks list them)."""

ALL = ("intake.categories", "intake.problem", "intake.building", "intake.unit", "intake.phone", "intake.name",
       "intake.describe", "intake.review", "intake.emergency")
