{{ config(enabled=fivetran_enabled('intercom')) }}

-- Every version of every conversation: when its state changed (int_fivetran_intercom__care_conversations finds the
-- close of a conversation whose close part is missing).
with

source as (

    select * from {{ source('fivetran_intercom', 'conversation_history') }}

),

renamed as (

    select
        cast(id as varchar) as conversation_id,
        {{ utc_timestamp('cast(updated_at as varchar)') }} as updated_at,
        lower(state) as state
    from source

)

select * from renamed
