-- Every account with its segment and when it was a customer. For CRM accounts the customer lifecycle export decides;
-- elsewhere (Maven, Olist sellers, file drops) an account becomes a customer when its first opportunity is won.
with

accounts as (

    select * from {{ ref('int_canonical__accounts') }}

),

lifecycle as (

    select * from {{ ref('stg_crm__customer_lifecycle') }}

),

opportunities as (

    select * from {{ ref('int_canonical__opportunities') }}

),

first_wins as (

    select
        account_key,
        min(close_date) as first_won_on
    from opportunities
    where is_won and account_key is not null
    group by account_key

),

final as (

    select
        accounts.account_key,
        accounts.source_system,
        accounts.account_name,
        accounts.annual_revenue,
        accounts.currency,
        lifecycle.churned_at as churned_on,
        lifecycle.plan,
        lifecycle.mrr,
        case
            when accounts.employee_count >= {{ var('enterprise_min_employees') }} then 'Enterprise'
            when accounts.employee_count >= {{ var('mid_market_min_employees') }} then 'Mid-market'
            when accounts.employee_count is not null then 'SMB'
            else 'Unknown'
        end as segment,
        case
            when accounts.source_system = 'crm' then lifecycle.customer_since else first_wins.first_won_on
        end as customer_since,
        case
            when accounts.source_system = 'crm' then lifecycle.customer_since is not null
            else first_wins.first_won_on is not null
        end as is_customer,
        coalesce(lifecycle.is_churned, false) as is_churned
    from accounts
    left join lifecycle on accounts.account_key = 'crm:' || lifecycle.account_id
    left join first_wins on accounts.account_key = first_wins.account_key

)

select * from final
