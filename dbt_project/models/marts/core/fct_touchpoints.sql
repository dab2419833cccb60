-- Incremental runs rewrite only the people and accounts whose touchpoints were added, changed or removed since the
-- last build: a sequence number or a gap depends on the whole history of its person or account, so those histories
-- are renumbered in full and everyone else's rows stay as they are. The post-hook removes touchpoints whose source
-- is gone, which delete+insert alone would keep.
{{
    config(
        materialized='incremental',
        unique_key='touchpoint_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="delete from {{ this }} where touchpoint_key not in (select touchpoint_key from {{ ref('int_journey__touchpoints') }})"
    )
}}

-- Every touchpoint of a person or account in time order across channels, with the time since the same person's and
-- the same account's previous touchpoint.
{%- set compared = 'touchpoint_key, person_key, contact_key, account_key, occurred_at, channel, channel_group,
    touchpoint_type, direction, journey_stage' %}

with

touchpoints as (

    select * from {{ ref('int_journey__touchpoints') }}

),

{% if is_incremental() %}

previous as (

    select * from {{ this }}

),

changed as (

    (select {{ compared }} from touchpoints except select {{ compared }} from previous)
    union all
    (select {{ compared }} from previous except select {{ compared }} from touchpoints)

),

affected_people as (

    select distinct person_key from changed where person_key is not null

),

affected_accounts as (

    select distinct account_key from changed where account_key is not null

),

{% endif %}

person_touchpoints as (

    select * from touchpoints
    where person_key is not null
    {% if is_incremental() %}
        and person_key in (select affected_people.person_key from affected_people)
    {% endif %}

),

account_touchpoints as (

    select * from touchpoints
    where account_key is not null
    {% if is_incremental() %}
        and account_key in (select affected_accounts.account_key from affected_accounts)
    {% endif %}

),

person_ordered as (

    select
        touchpoint_key,
        row_number() over (partition by person_key order by occurred_at, touchpoint_key) as person_sequence,
        {{ dbt.datediff(
            'lag(occurred_at) over (partition by person_key order by occurred_at, touchpoint_key)',
            'occurred_at',
            'minute'
        ) }} as minutes_since_person_previous
    from person_touchpoints

),

account_ordered as (

    select
        touchpoint_key,
        row_number() over (partition by account_key order by occurred_at, touchpoint_key) as account_sequence,
        {{ dbt.datediff(
            'lag(occurred_at) over (partition by account_key order by occurred_at, touchpoint_key)',
            'occurred_at',
            'minute'
        ) }} as minutes_since_account_previous
    from account_touchpoints

),

final as (

    select
        touchpoints.*,
        {% if is_incremental() %}
            -- A row rewritten for its account keeps its person's numbering from the last build, and the reverse.
            case
                when person_ordered.touchpoint_key is not null then person_ordered.person_sequence
                else previous.person_sequence
            end as person_sequence,
            case
                when account_ordered.touchpoint_key is not null then account_ordered.account_sequence
                else previous.account_sequence
            end as account_sequence,
            case
                when person_ordered.touchpoint_key is not null then person_ordered.minutes_since_person_previous
                else previous.minutes_since_person_previous
            end as minutes_since_person_previous,
            case
                when account_ordered.touchpoint_key is not null then account_ordered.minutes_since_account_previous
                else previous.minutes_since_account_previous
            end as minutes_since_account_previous
        {% else %}
            person_ordered.person_sequence,
            account_ordered.account_sequence,
            person_ordered.minutes_since_person_previous,
            account_ordered.minutes_since_account_previous
        {% endif %}
    from touchpoints
    left join person_ordered on touchpoints.touchpoint_key = person_ordered.touchpoint_key
    left join account_ordered on touchpoints.touchpoint_key = account_ordered.touchpoint_key
    {% if is_incremental() %}
        left join previous on touchpoints.touchpoint_key = previous.touchpoint_key
        where person_ordered.touchpoint_key is not null or account_ordered.touchpoint_key is not null
    {% endif %}

)

select * from final
