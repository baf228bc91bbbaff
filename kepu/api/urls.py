from ninja import NinjaAPI

api = NinjaAPI(title="kepu API", version="1", urls_namespace="api")
