{{ config(enabled=fivetran_enabled('hubspot')) }}
{#- Properties exist only if the portal has them: optional ones are read when the column is there. -#}
{%- set columns = fivetran_columns(source('fivetran_hubspot', 'contact')) -%}

with

source as (

    select * from {{ source('fivetran_hubspot', 'contact') }}

),

renamed as (

    select
        cast(id as varchar) as contact_id,
        lower(nullif(trim(cast(property_email as varchar)), '')) as email,
        nullif(concat_ws(' ', property_firstname, property_lastname), '') as full_name,
        {{ 'cast(property_city as varchar)' if 'property_city' in columns else 'cast(null as varchar)' }} as city,
        {{ 'cast(property_state as varchar)' if 'property_state' in columns else 'cast(null as varchar)' }} as region,
        {{ 'cast(property_associatedcompanyid as varchar)' if 'property_associatedcompanyid' in columns
            else 'cast(null as varchar)' }} as company_id,
        {{ 'cast(property_hs_merged_object_ids as varchar)' if 'property_hs_merged_object_ids' in columns
            else 'cast(null as varchar)' }} as merged_object_ids,
        {{ utc_timestamp('cast(property_createdate as varchar)', strict=false) }} as created_at,
        {{ utc_timestamp('cast(_fivetran_synced as varchar)', strict=false) }} as synced_at
    from source
    where not coalesce(cast(_fivetran_deleted as boolean), false)

),

-- A merge keeps the surviving contact and lists the merged ones in hs_merged_object_ids; Fivetran can still hold
-- rows for those, which are the same person.
merged_away as (

    select distinct trim(merged.contact_id) as contact_id
    from renamed
    cross join unnest(string_split(renamed.merged_object_ids, ';')) as merged (contact_id)

),

final as (

    select renamed.* exclude (merged_object_ids, synced_at)
    from renamed
    where renamed.contact_id not in (select merged_away.contact_id from merged_away)
    qualify row_number() over (partition by renamed.contact_id order by renamed.synced_at desc) = 1

)

select * from final
