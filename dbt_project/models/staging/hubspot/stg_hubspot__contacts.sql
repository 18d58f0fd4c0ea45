{#- HubSpot contacts as canonical CRM customer versions (the columns of stg_crm__customers): a
    version per contact as last modified (the connector updates contacts in place, so each
    delivery of a changed contact is a version). A contact deleted in HubSpot (its latest
    delivery) is no customer; merged contacts are stg_hubspot__contact_merges. The seed
    crm_fields reads the contact's properties and, as `company.<property>`, its primary
    company's (associatedcompanyid; the company as last delivered). -#}
{{ crm_vendor_customers(
    vendor='hubspot',
    contacts=source('hubspot', 'contact'),
    version_time='coalesce(property_lastmodifieddate, fivetran_synced, _loaded_at)',
    is_deleted='fivetran_deleted',
    email='property_email',
    phones=['property_phone', 'property_mobilephone'],
    related={
        'name': 'company',
        'relation': source('hubspot_companies', 'company'),
        'key': 'property_associatedcompanyid',
        'version_time': 'coalesce(property_hs_lastmodifieddate, fivetran_synced, _loaded_at)',
        'is_deleted': 'coalesce(is_deleted, fivetran_deleted)',
        'columns': ['property_name', 'property_type', 'property_industry', 'property_country'],
    },
) }}
