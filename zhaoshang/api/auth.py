"""``POST /api/v1/auth/token/``: exchange a username and password for an API token."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from zhaoshang.api.parsers import PARSERS
from zhaoshang.api.services import issue_token
from zhaoshang.api.throttling import SharedScopedRateThrottle


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("Username"), max_length=150)
    password = serializers.CharField(
        label=gettext_lazy("Password"),
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"
    default_detail = gettext_lazy(
        "Too many failed log-in attempts: the account is locked for a while. Try again later."
    )


class AddressLockedOut(LockedOut):
    default_detail = gettext_lazy(
        "Too many failed log-in attempts from your network address: log-ins from it are "
        "blocked for a while. Try again later."
    )


class ObtainTokenView(APIView):
    """Send the token as ``Authorization: Token <token>``. Each call issues a new token,
    valid for ``API_TOKEN_TTL_DAYS`` days (the user sees and revokes them at
    /accounts/tokens/). Failed attempts count towards the same lock-out as the log-in page
    (django-axes: per username and address, and per address); requests are throttled."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (SharedScopedRateThrottle,)
    throttle_scope = "token"
    parser_classes = PARSERS
    renderer_classes = (JSONRenderer,)

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description="Missing fields or wrong credentials."),
            429: OpenApiResponse(description="Throttled or locked out."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request=request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                if getattr(request, "address_locked_out", False):
                    raise AddressLockedOut()
                raise LockedOut()
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to log in with the username and password given.")]}
            )
        # Count as a log-in: last_login, the axes access log and its reset on success.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        _token, key = issue_token(user)
        return Response({"token": key})
