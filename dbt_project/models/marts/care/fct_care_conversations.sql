with

conversation_sla as (

    select * from {{ ref('int_care__conversation_sla') }}

),

final as (

    select
        conversation_id,
        source_system,
        channel,
        team,
        priority,
        requester_id,
        opened_at,
        first_response_at,
        resolved_at,
        first_response_minutes,
        resolution_minutes,
        first_response_target_minutes,
        resolution_target_minutes,
        is_responded,
        is_resolved,
        is_first_response_breached,
        is_resolution_breached,
        is_sla_breached,
        inbound_messages,
        outbound_messages
    from conversation_sla

)

select * from final
