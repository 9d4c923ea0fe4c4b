"""Payment providers (the ``PaymentProvider`` port in ``amina.services.ports``): the sandbox
acquirer for development, tests and demos, and the stand-in used where none is configured."""
