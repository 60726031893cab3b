"""The coordinator's pages for the scheme's lists: order, hide, add and rename items."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import roles
from core.services import audit
from extensions import db
from lists import defaults, services
from lists.categories import CATEGORIES
from lists.forms import ArrangeForm, LanguageForm, check_labels, item_form, labels_of
from lists.items import by_use, items_for


def list_or_404(name: str) -> str:
    return name if name in defaults.LISTS else abort(404)


@roles("coordinator")
def lists():
    scheme = current_user.scheme
    form = LanguageForm(language=scheme.language)
    if form.validate_on_submit() and form.language.data:
        scheme.language = form.language.data
        audit("scheme_language_changed", scheme, scheme_id=scheme.id, language=scheme.language)
        db.session.commit()
        flash(_("Main language saved."), "info")
        return redirect(url_for("lists.lists"))
    return render_template("lists/lists.html", names=defaults.NAMES, form=form)


def page(name: str, form=None, new=None, code: int = 200):
    scheme_id = current_user.scheme_id
    arrange = form or ArrangeForm(by_use=by_use(scheme_id, name))
    new = new or item_form(name, current_user.scheme.language, True, prefix="new")
    return render_template(
        "lists/list.html",
        name=name,
        title=defaults.NAMES[name],
        items=items_for(scheme_id, name),
        built_in=defaults.BUILT_IN.get(name, set()),
        categories=CATEGORIES,
        form=arrange,
        new=new,
    ), code


@roles("coordinator")
def edit_list(name: str):
    name = list_or_404(name)
    if request.method == "GET":
        return page(name)
    form = ArrangeForm()
    if not form.validate_on_submit():
        return page(name, form=form, code=400)
    codes = [item.code for item in items_for(current_user.scheme_id, name)]
    wanted = {code: order_of(request.form.get(f"order-{code}"), i) for i, code in enumerate(codes)}
    order = sorted(codes, key=lambda code: (wanted[code], codes.index(code)))
    hidden = {code for code in codes if request.form.get(f"hide-{code}")}
    services.arrange(current_user.scheme_id, name, order, hidden, form.by_use.data)
    db.session.commit()
    flash(_("The list is saved."), "info")
    return redirect(url_for("lists.edit_list", name=name))


def order_of(value: str | None, current: int) -> float:
    """The place asked for an item; anything but a number keeps it where it is."""
    try:
        return float(value) if value else current + 1
    except ValueError:
        return current + 1


@roles("coordinator")
def add_item(name: str):
    name = list_or_404(name)
    form = item_form(name, current_user.scheme.language, True, prefix="new")
    if form.validate_on_submit() and check_labels(form):
        services.add_item(current_user.scheme_id, name, labels_of(form), form.category.data)
        db.session.commit()
        flash(_("Item added at the end of the list."), "info")
        return redirect(url_for("lists.edit_list", name=name))
    return page(name, new=form, code=400)


@roles("coordinator")
def edit_item(name: str, code: str):
    name = list_or_404(name)
    found = {item.code: item for item in items_for(current_user.scheme_id, name)}
    item = found.get(code) or abort(404)
    main = current_user.scheme.language
    typed = {f"label_{locale}": label for locale, label in item.labels.items()}
    form = item_form(name, main, item.default is None, category=item.category, **typed)
    if form.validate_on_submit() and check_labels(form):
        services.edit_item(current_user.scheme_id, name, code, labels_of(form), form.category.data)
        db.session.commit()
        flash(_("Item saved."), "info")
        return redirect(url_for("lists.edit_list", name=name))
    return render_template(
        "lists/item.html", name=name, item=item, form=form
    ), 400 if form.errors else 200
