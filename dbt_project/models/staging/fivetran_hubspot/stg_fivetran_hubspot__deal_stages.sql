{{ config(enabled=fivetran_enabled('hubspot')) }}
{%- set columns = fivetran_columns(source('fivetran_hubspot', 'deal_pipeline_stage')) -%}

with

source as (

    select * from {{ source('fivetran_hubspot', 'deal_pipeline_stage') }}

),

renamed as (

    select
        cast(stage_id as varchar) as stage_id,
        cast(pipeline_id as varchar) as pipeline_id,
        cast(label as varchar) as stage_name,
        cast(probability as double) as probability,
        -- Older schemas have no is_closed: a stage certain to win or to lose (probability 1 or 0) is a closing one.
        coalesce(
            {{ 'cast(is_closed as boolean)' if 'is_closed' in columns else 'null' }},
            cast(probability as double) in (0, 1)
        ) as is_closed,
        coalesce(
            {{ 'cast(closed_won as boolean)' if 'closed_won' in columns else 'null' }},
            cast(probability as double) = 1
        ) as is_won,
        {{ utc_timestamp('cast(_fivetran_synced as varchar)', strict=false) }} as synced_at
    from source
    where not coalesce(cast(_fivetran_deleted as boolean), false)

),

final as (

    select * exclude (synced_at)
    from renamed
    qualify row_number() over (partition by stage_id order by synced_at desc) = 1

)

select * from final
