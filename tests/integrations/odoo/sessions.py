"""Sessions speaking Odoo's documented XML-RPC shapes to the sandbox."""

import xmlrpc.client


class XmlRpcSession:
    """Odoo's documented XML-RPC call shapes against one sandbox, logged in as its admin."""

    def __init__(self, handle, path="/xmlrpc/2"):
        self.handle = handle
        self.common = xmlrpc.client.ServerProxy(f"{handle.url}{path}/common")
        self.models = xmlrpc.client.ServerProxy(f"{handle.url}{path}/object")
        self.uid = self.common.authenticate(handle.db, handle.login, handle.password, {})

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.handle.db, self.uid, self.handle.password, model, method, list(args), kwargs)
