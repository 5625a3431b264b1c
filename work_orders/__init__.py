"""Work orders (工单), first-responder ownership (首问负责制) and callbacks (回访).

``rules`` and ``callback_rules`` are the pure cores; ``records`` turns rows into their snapshots and writes
decisions back; ``store`` and ``callback_store`` are the verbs and lists in SQL; ``views`` the JSON shapes;
``api`` and ``callback_api`` the HTTP routers."""
