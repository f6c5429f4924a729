"""``handbook serve``: the Voila application, its security policy and its job-aid kernels."""
