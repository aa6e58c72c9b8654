"""A background worker for one site, on that site's own job queue (its ``redis_queue`` in site_config.json).

Run with the bench's Python from ``sites/``: ``python .ci/site_worker.py SITE``. Frappe's ``bench worker``
serves every site of the bench from the queue in common_site_config.json, which holds whatever jobs other
sites left waiting; the browser checks need a worker that runs only the jobs of the site made for the run.
"""

import sys

from rq import Worker

import frappe
from frappe.utils.background_jobs import get_queue_list, get_redis_conn

site = sys.argv[1]
frappe.init(site=site)
if not frappe.local.conf.get("redis_queue") or frappe.get_site_config().get("redis_queue") is None:
	sys.exit(f"{site} has no redis_queue of its own in its site_config.json")
connection = get_redis_conn()
queues = get_queue_list(None, build_queue_name=True)
frappe.destroy()
Worker(queues, connection=connection).work(logging_level="WARNING")
