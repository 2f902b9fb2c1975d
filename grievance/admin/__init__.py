"""The administrators' area (/admin/): users, organisations and keys, categories, routing,
service levels, the working calendar and offices.

Each kind of setting has a service module here whose verbs refuse any actor who is not an
administrator (`guard.require_admin`), check the version the administrator saw
(`editing.guarded_update`) and record the change with before and after in the audit chain
(`grievance.services.changes.record_change`). The views in routes.py only load, validate, call
and commit.
"""
