-- Every version of every account (type 2, from the snapshot), with the account's current customer status.
with

snapshot as (

    select * from {{ ref('snap_canonical__accounts') }}

),

account_status as (

    select * from {{ ref('int_customers__account_status') }}

),

final as (

    select
        snapshot.dbt_scd_id as account_version_key,
        snapshot.account_key,
        snapshot.source_system,
        snapshot.account_id,
        snapshot.account_name,
        snapshot.industry,
        snapshot.annual_revenue,
        snapshot.currency,
        snapshot.employee_count,
        snapshot.country,
        snapshot.created_at,
        snapshot.dbt_valid_from as valid_from,
        snapshot.dbt_valid_to as valid_to,
        account_status.customer_since,
        account_status.churned_on,
        coalesce(account_status.segment, 'Unknown') as segment,
        coalesce(account_status.is_customer, false) as is_customer,
        coalesce(account_status.is_churned, false) as is_churned,
        snapshot.dbt_valid_to is null as is_current
    from snapshot
    left join account_status on snapshot.account_key = account_status.account_key

)

select * from final
