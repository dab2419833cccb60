-- Cohort x segment: how many customers stayed, and how churn differs between accounts whose negative conversations
-- were left unresolved and the others, and between accounts engaged on social or in the community and the others.
-- The difference is priced with the segment's acquisition cost and annual revenue.
with

account_status as (

    select * from {{ ref('int_customers__account_status') }}

),

care_outcomes as (

    select * from {{ ref('int_customers__account_care_outcomes') }}

),

customer_economics as (

    select * from {{ ref('customer_economics') }}

),

customers as (

    select
        account_status.account_key,
        account_status.segment,
        account_status.is_churned,
        care_outcomes.care_outcome,
        care_outcomes.social_messages > 0 as is_engaged,
        cast({{ dbt.date_trunc('quarter', 'account_status.customer_since') }} as date) as cohort_quarter,
        coalesce(account_status.mrr * 12, customer_economics.annual_revenue_per_customer) as annual_revenue
    from account_status
    inner join care_outcomes on account_status.account_key = care_outcomes.account_key
    left join customer_economics on account_status.segment = customer_economics.segment
    where account_status.is_customer

),

cohorts as (

    select
        customers.cohort_quarter,
        customers.segment,
        count(*) as customers,
        count(case when customers.is_churned then 1 end) as churned_customers,
        count(case when customers.care_outcome = 'unresolved_negative' then 1 end) as unresolved_negative_customers,
        count(
            case when customers.care_outcome = 'unresolved_negative' and customers.is_churned then 1 end
        ) as unresolved_negative_churned,
        count(case when customers.care_outcome = 'resolved_negative' then 1 end) as resolved_negative_customers,
        count(
            case when customers.care_outcome = 'resolved_negative' and customers.is_churned then 1 end
        ) as resolved_negative_churned,
        count(case when customers.care_outcome = 'no_negative' then 1 end) as no_negative_customers,
        count(
            case when customers.care_outcome = 'no_negative' and customers.is_churned then 1 end
        ) as no_negative_churned,
        count(case when customers.is_engaged then 1 end) as engaged_customers,
        count(case when customers.is_engaged and customers.is_churned then 1 end) as engaged_churned,
        avg(customers.annual_revenue) as avg_annual_revenue,
        max(customer_economics.acquisition_cost) as acquisition_cost
    from customers
    left join customer_economics on customers.segment = customer_economics.segment
    group by customers.cohort_quarter, customers.segment

),

rates as (

    select
        *,
        1.0 - 1.0 * churned_customers / customers as retention_rate,
        1.0 * churned_customers / customers as churn_rate,
        1.0 * unresolved_negative_churned / nullif(unresolved_negative_customers, 0) as churn_rate_unresolved_negative,
        1.0 * (resolved_negative_churned + no_negative_churned)
        / nullif(resolved_negative_customers + no_negative_customers, 0) as churn_rate_other,
        1.0 * resolved_negative_churned / nullif(resolved_negative_customers, 0) as churn_rate_resolved_negative,
        1.0 * engaged_churned / nullif(engaged_customers, 0) as churn_rate_engaged,
        1.0 * (churned_customers - engaged_churned) / nullif(customers - engaged_customers, 0)
            as churn_rate_not_engaged
    from cohorts

),

final as (

    select
        *,
        churn_rate_unresolved_negative - churn_rate_other as churn_lift_unresolved_negative,
        -- Customers who would have stayed had the unresolved accounts churned like the others, and what they are worth.
        greatest(churn_rate_unresolved_negative - churn_rate_other, 0) * unresolved_negative_customers
            as avoidable_churned_customers,
        greatest(churn_rate_unresolved_negative - churn_rate_other, 0) * unresolved_negative_customers
        * (avg_annual_revenue + acquisition_cost) as value_of_resolving
    from rates

)

select * from final
