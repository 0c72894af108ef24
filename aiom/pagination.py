"""How every API list is cut into pages: `?page=N&page_size=M`, answered as
`{count, next, previous, results}`. Bad page sizes are refused in words rather than ignored."""

from rest_framework.pagination import PageNumberPagination

from .errors import ApplicationError

MAX_PAGE_SIZE = 200
PAGE_SIZE_REFUSED = f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}."


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_query_description = "Which page to return, from 1 (or `last`)."
    page_size_query_description = (f"How many results per page (default 50; more than {MAX_PAGE_SIZE} "
                                   f"gives {MAX_PAGE_SIZE}).")
    invalid_page_message = "There is no page {page_number}: {message}."

    def get_page_size(self, request) -> int:
        """The asked size, capped at the maximum; anything but a positive whole number is a 400."""
        asked = request.query_params.get(self.page_size_query_param)
        if not asked:
            return self.page_size
        try:
            size = int(asked)
        except ValueError:
            size = 0
        if size < 1:
            raise ApplicationError(PAGE_SIZE_REFUSED, {"errors": {"page_size": [PAGE_SIZE_REFUSED]}})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
