{#- Salesforce contacts as canonical CRM customer versions (the columns of
    stg_crm__customers). A version is a history-mode row (from _fivetran_start) or a contact as
    last modified; a contact whose latest version is deleted (or merged: see
    stg_salesforce__contact_merges) is no customer. The seed crm_fields reads the contact's
    fields and, as `account.<field>`, its account's (the account as last delivered). -#}
{{ crm_vendor_customers(
    vendor='salesforce',
    contacts=source('salesforce', 'contact'),
    version_time=salesforce_version_time(),
    is_deleted='is_deleted',
    email='email',
    phones=['phone', 'mobile_phone'],
    related={
        'name': 'account',
        'relation': source('salesforce_accounts', 'account'),
        'key': 'account_id',
        'version_time': salesforce_version_time(),
        'is_deleted': 'is_deleted',
        'columns': ['type', 'industry', 'billing_country_code'],
    },
) }}
