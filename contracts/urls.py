from django.urls import path

from contracts.views import account, contract

app_name = "contracts"

urlpatterns = [
    # The organization's contract, for its administrators.
    path(
        "organizations/<int:organization_id>/contract/",
        contract.organization_contract,
        name="organization-contract",
    ),
    path(
        "organizations/<int:organization_id>/contract/connect/",
        contract.connect,
        name="connect",
    ),
    path(
        "organizations/<int:organization_id>/contract/connect/key/",
        contract.connect_key,
        name="connect-key",
    ),
    path(
        "organizations/<int:organization_id>/contract/disconnect/",
        contract.disconnect,
        name="disconnect",
    ),
    path(
        "organizations/<int:organization_id>/contract/auto-assign/",
        contract.auto_assign,
        name="auto-assign",
    ),
    # The contract manager's account pages.
    path(
        "account/contracts/",
        account.contract_list,
        name="account-contract-list",
    ),
    path(
        "account/contracts/<int:contract_id>/",
        account.contract_detail,
        name="account-contract-detail",
    ),
    path(
        "account/contracts/<int:contract_id>/key/",
        account.key_generate,
        name="key-generate",
    ),
    path(
        "account/contracts/<int:contract_id>/seats/<int:seat_id>/release/",
        account.seat_release,
        name="seat-release",
    ),
]
