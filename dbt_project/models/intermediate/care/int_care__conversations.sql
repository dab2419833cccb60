with

conversations as (

    select * from {{ ref('int_care__x_mention_conversations') }}
    union all by name
    select * from {{ ref('int_care__x_dm_conversations') }}
    union all by name
    select * from {{ ref('int_care__zendesk_ticket_conversations') }}
    union all by name
    select * from {{ ref('int_care__twcs_conversations') }}
    union all by name
    select * from {{ ref('int_care__file_drop_conversations') }}
    {{ fivetran_union('care_conversations') }}

)

select * from conversations
