from __future__ import annotations

from ninja import Router

from paydesk.core.errors import PaydeskError
from paydesk.customers.selectors import customer_get, customer_list
from paydesk.customers.services import customer_create, customer_update

from paydesk.payments.saved_methods import saved_method_get, saved_method_list, saved_method_remove

from .objects import customer_object, saved_method_object
from .pagination import list_envelope
from .schemas import CustomerCreate, CustomerUpdate, PortalSessionCreate

router = Router(tags=["customers"])


@router.post("/customers", summary="Create a customer")
def create_customer(request, payload: CustomerCreate):
    customer = customer_create(business=request.business, livemode=request.livemode, **payload.model_dump())
    return customer_object(customer)


@router.get("/customers", summary="List customers")
def list_customers(request, limit: int | None = None, starting_after: str | None = None, email: str | None = None):
    customers = customer_list(business=request.business, livemode=request.livemode)
    if email:
        customers = customers.filter(email__iexact=email)
    return list_envelope(
        customers, to_object=customer_object, url="/api/v1/customers",
        limit=limit, starting_after=starting_after, kind="customer",
    )


@router.get("/customers/{customer_id}", summary="Retrieve a customer")
def retrieve_customer(request, customer_id: str):
    return customer_object(customer_get(business=request.business, livemode=request.livemode, public_id=customer_id))


@router.post("/customers/{customer_id}", summary="Update a customer")
def update_customer(request, customer_id: str, payload: CustomerUpdate):
    customer = customer_get(business=request.business, livemode=request.livemode, public_id=customer_id)
    changes = payload.model_dump(exclude_unset=True)
    changes = {
        field: ("" if value is None and field not in ("preferred_locales", "non_essential_opt_out") else value)
        for field, value in changes.items()
        if not (field == "non_essential_opt_out" and value is None)
    }
    return customer_object(customer_update(customer=customer, **changes))


@router.get("/customers/{customer_id}/payment_methods", summary="List a customer's saved cards")
def list_payment_methods(request, customer_id: str):
    customer = customer_get(business=request.business, livemode=request.livemode, public_id=customer_id)
    methods = saved_method_list(customer=customer)
    return {
        "object": "list",
        "url": f"/api/v1/customers/{customer_id}/payment_methods",
        "has_more": False,
        "data": [saved_method_object(method) for method in methods],
    }


@router.delete("/customers/{customer_id}/payment_methods/{method_id}", summary="Remove a saved card")
def remove_payment_method(request, customer_id: str, method_id: str):
    customer = customer_get(business=request.business, livemode=request.livemode, public_id=customer_id)
    method = saved_method_remove(method=saved_method_get(customer=customer, public_id=method_id))
    return {"id": method.public_id, "object": "payment_method", "deleted": True}


@router.post("/customers/{customer_id}/portal_sessions", summary="A short-lived link that opens the customer portal")
def create_portal_session(request, customer_id: str, payload: PortalSessionCreate | None = None):
    from paydesk.portal.access import portal_session_create

    customer = customer_get(business=request.business, livemode=request.livemode, public_id=customer_id)
    if customer.erased_at is not None:
        raise PaydeskError("customer_erased", "This customer's details were deleted at their request.", param="customer")
    link, url = portal_session_create(customer=customer, return_url=payload.return_url if payload else "")
    return {
        "id": link.public_id,
        "object": "portal_session",
        "livemode": link.livemode,
        "customer": customer.public_id,
        "url": url,
        "return_url": link.return_url or None,
        "created": int(link.created.timestamp()),
        "expires_at": int(link.expires_at.timestamp()),
    }
