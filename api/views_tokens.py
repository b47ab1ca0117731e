"""The API tokens page (account menu): a person's own tokens, made and revoked
here; staff also make service accounts and their tokens. A token's key is shown
once, on the page that answers its creation, and never again: it is not kept."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .forms import ServiceAccountForm, TokenForm
from .models import ServiceAccount
from .services import get_token_for_manager, service_account_create, token_create, token_revoke, tokens_managed_by


def _page(request: HttpRequest, form: TokenForm, account_form: ServiceAccountForm | None = None, status: int = 200):
    context = {
        "form": form,
        "tokens": tokens_managed_by(request.user),
        "now": timezone.now(),
        "account_form": account_form or (ServiceAccountForm() if request.user.is_staff else None),
        "service_accounts": ServiceAccount.objects.select_related("user") if request.user.is_staff else [],
    }
    return render(request, "api/tokens.html", context, status=status)


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """GET: the tokens and the form; POST: make a token and show its key, once."""
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = token_create(
                user=form.acting_user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at, kind=form.kind, created_by=request.user, request=request,
            )  # fmt: skip
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # Rendered, not redirected to: the key travels in this response only.
            return render(request, "api/token_created.html", {"token": token, "key": key})
    return _page(request, form, status=400 if request.method == "POST" else 200)


@login_required
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask; POST: revoke (a revoked token stops working at once)."""
    token = get_token_for_manager(request.user, pk)
    if request.method == "POST":
        token_revoke(token, actor=request.user, request=request)
        messages.success(request, f"The token “{token.name}” ({token.prefix}…) is revoked: it no longer works.")
        return redirect("api_tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})


@login_required
@require_POST
def service_account_new(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise Http404("No such page.")
    account_form = ServiceAccountForm(request.POST)
    if account_form.is_valid():
        try:
            account = service_account_create(name=account_form.cleaned_data["name"], by=request.user, request=request)
        except ValidationError as error:
            account_form.add_error("name", error.message_dict.get("name"))
        else:
            messages.success(
                request, f"The service account “{account}” is made. Give it roles on the roles page if its "
                "tokens need them, then make its token below.",
            )  # fmt: skip
            return redirect("api_tokens:list")
    return _page(request, TokenForm(user=request.user), account_form, status=400)
