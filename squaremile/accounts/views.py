from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from squaremile.accounts import selectors, services
from squaremile.accounts.forms import ApiTokenForm, DeleteAccountForm, ProfileForm
from squaremile.accounts.models import ApiToken


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = services.profile_for(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "place"}  # the place only found the point
            services.profile_update(profile=profile, by=request.user, data=data)
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile_edit")
        return render(request, "accounts/profile_form.html", {"form": form, "profile": profile}, status=400)
    return render(request, "accounts/profile_form.html", {"form": form, "profile": profile})


def person(request, user_id):
    context = selectors.person_view(request.user, user_id)
    if context is None:
        raise Http404("This person's profile is not shared with you.")
    return render(request, "accounts/person.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, new_key = services.api_token_create(
                user=request.user, by=request.user, name=form.cleaned_data["name"]
            )
            form = ApiTokenForm()
        else:
            status = 400
    return render(
        request, "accounts/tokens.html",
        {"form": form, "tokens": request.user.api_tokens.all(), "new_key": new_key}, status=status,
    )  # fmt: skip


@login_required
@require_POST
def token_delete(request, token_id):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_delete(token=token, by=request.user)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("accounts:tokens")


@login_required
def data_export(request):
    response = JsonResponse(services.account_export(user=request.user), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-square-mile-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            user = request.user
            logout(request)
            services.account_delete(user=user, by=user)
            messages.success(request, "Your account and profile are deleted.")
            return redirect("pages:home")
        return render(request, "accounts/delete.html", {"form": form}, status=400)
    return render(request, "accounts/delete.html", {"form": form})
