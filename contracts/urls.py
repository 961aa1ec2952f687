from django.urls import path

from contracts.views import account, contract, member_detail, member_list

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
    # The organization's members pages, with their plans.
    path(
        "organizations/<int:organization_id>/members/",
        member_list.member_list,
        name="member-list",
    ),
    path(
        "organizations/<int:organization_id>/members/add/",
        member_list.member_add,
        name="member-add",
    ),
    path(
        "organizations/<int:organization_id>/members/plan/",
        member_list.member_bulk_plan,
        name="member-bulk-plan",
    ),
    path(
        "organizations/<int:organization_id>/members/export/",
        member_list.member_export,
        name="member-export",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/",
        member_detail.member_detail,
        name="member-detail",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/role/",
        member_detail.member_role,
        name="member-role",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/plan/",
        member_detail.member_plan,
        name="member-plan",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/"
        "auto-assign/include/",
        member_detail.member_auto_assign_include,
        name="member-auto-assign-include",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/remove/",
        member_detail.member_remove,
        name="member-remove",
    ),
]
