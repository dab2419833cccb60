-- Week x term, without a taxonomy: which words customers use, how negative the messages around them are, which terms
-- emerge against their own trailing baseline and which lead the week's negative messages. Rules and thresholds:
-- DECISIONLOG.md, "Term trends".
{% set example_shortlist = 20 %}

with

message_terms as (

    select * from {{ ref('int_text__message_terms') }}

),

interactions as (

    select * from {{ ref('fct_interactions') }}

),

stop_words as (

    select * from {{ ref('stop_words') }}

),

topic_taxonomy as (

    select * from {{ ref('topic_taxonomy') }}

),

team_routing as (

    select * from {{ ref('team_routing') }}

),

customer_messages as (

    select
        interaction_key,
        body,
        occurred_at,
        coalesce(actor_key, interaction_key) as author_key,
        coalesce(sentiment_label = 'negative', false) as is_negative,
        cast({{ dbt.date_trunc('week', 'occurred_at') }} as date) as week_start
    from interactions
    where direction = 'inbound' and source_class != 'own_brand' and body is not null

),

-- Every calendar week from the first with a customer message, numbered, with the messages of the week and of its
-- baseline (the previous `term_baseline_weeks` weeks; a week without any message counts as an empty week).
weekly_messages as (

    select
        week_start,
        count(*) as week_messages
    from customer_messages
    group by week_start

),

weeks as (

    select
        week_start,
        week_messages,
        cast({{ dbt.datediff("date '1970-01-05'", 'week_start', 'day') }} / 7 as integer) as week_number  -- noqa: LT05
    from weekly_messages

),

week_baselines as (

    select
        week_start,
        week_number,
        week_messages,
        coalesce(sum(week_messages) over previous_weeks, 0) as baseline_messages,
        least(
            {{ var('term_baseline_weeks') }}, week_number - min(week_number) over ()
        ) as baseline_weeks
    from weeks
    window previous_weeks as (
        order by week_number range between {{ var('term_baseline_weeks') }} preceding and 1 preceding
    )

),

term_weeks as (

    select
        message_terms.term,
        customer_messages.week_start,
        max(message_terms.word_count) as word_count,
        count(*) as mentions,
        count(distinct customer_messages.author_key) as distinct_authors,
        sum(case when customer_messages.is_negative then 1 else 0 end) as negative_mentions
    from message_terms
    inner join customer_messages on message_terms.interaction_key = customer_messages.interaction_key
    group by message_terms.term, customer_messages.week_start

),

-- Mentions of the term over the baseline weeks; weeks it was not mentioned in count as zero.
term_baselines as (

    select
        term_weeks.*,
        week_baselines.week_messages,
        week_baselines.baseline_messages,
        week_baselines.baseline_weeks,
        coalesce(sum(term_weeks.mentions) over previous_weeks, 0) as baseline_total_mentions
    from term_weeks
    inner join week_baselines on term_weeks.week_start = week_baselines.week_start
    window previous_weeks as (
        partition by term_weeks.term
        order by week_baselines.week_number
        range between {{ var('term_baseline_weeks') }} preceding and 1 preceding
    )

),

supported as (

    select * from term_baselines
    where mentions >= {{ var('term_min_weekly_mentions') }}

),

-- Dunning's log-likelihood ratio G2 on the 2 x 2 table (messages with / without the term) x (this week / baseline
-- weeks), in closed form: 2 x (sum of k ln k over the cells - the same over row and column totals + N ln N).
tested as (

    select
        *,
        case when baseline_weeks > 0 then 1.0 * baseline_total_mentions / baseline_weeks end as baseline_mentions,
        case
            when baseline_messages > 0 then 1.0 * baseline_total_mentions * week_messages / baseline_messages
        end as expected_mentions,
        case when baseline_messages > 0 then 2.0 * (
            {{ xlogx('mentions') }}
            + {{ xlogx('week_messages - mentions') }}
            + {{ xlogx('baseline_total_mentions') }}
            + {{ xlogx('baseline_messages - baseline_total_mentions') }}
            - {{ xlogx('week_messages') }}
            - {{ xlogx('baseline_messages') }}
            - {{ xlogx('mentions + baseline_total_mentions') }}
            - {{ xlogx('week_messages + baseline_messages - mentions - baseline_total_mentions') }}
            + {{ xlogx('week_messages + baseline_messages') }}
        ) end as g2
    from supported

),

-- G2 is signed: negative when the term is rarer than its baseline, so sorting on it puts rises first.
signed as (

    select
        *,
        case when mentions < expected_mentions then -g2 else g2 end as log_likelihood
    from tested

),

flagged as (

    select
        *,
        case
            when expected_mentions is not null
                then mentions / greatest(expected_mentions, {{ var('term_expected_floor') }})
        end as lift,
        coalesce(
            baseline_weeks >= {{ var('term_min_history_weeks') }}
            and mentions >= {{ var('term_emerging_min_mentions') }}
            and distinct_authors >= {{ var('term_emerging_min_authors') }}
            and mentions >= {{ var('term_emerging_min_lift') }}
            * greatest(expected_mentions, {{ var('term_expected_floor') }})
            and log_likelihood >= {{ var('term_emerging_min_log_likelihood') }},
            false
        ) as is_emerging
    from signed

),

ranked as (

    select
        *,
        case when is_emerging then row_number() over (
            partition by week_start, is_emerging order by log_likelihood desc, mentions desc, term asc
        ) end as emerging_rank,
        case when negative_mentions >= {{ var('term_complaint_min_mentions') }} then row_number() over (
            partition by week_start, negative_mentions >= {{ var('term_complaint_min_mentions') }}
            order by negative_mentions desc, distinct_authors desc, term asc
        ) end as complaint_rank
    from flagged

),

with_flags as (

    select
        *,
        coalesce(complaint_rank <= {{ var('term_top_complaints') }}, false) as is_top_complaint
    from ranked

),

-- The most common way the term is written, over all weeks.
surface_counts as (

    select
        term,
        surface_form,
        count(*) as uses
    from message_terms
    group by term, surface_form

),

display_forms as (

    select
        term,
        surface_form as display_term
    from surface_counts
    qualify row_number() over (partition by term order by uses desc, surface_form asc) = 1

),

-- A taxonomy keyword normalised like a message (words, stop words out, stems) names the term's topic and team.
keyword_words as (

    select
        topic_taxonomy.keyword,
        topic_taxonomy.topic,
        topic_taxonomy.product_area,
        len({{ words_of("replace(topic_taxonomy.keyword, '''', '')") }}) as keyword_length,
        unnest({{ words_of("replace(topic_taxonomy.keyword, '''', '')") }}) as word,
        unnest(range(1, len({{ words_of("replace(topic_taxonomy.keyword, '''', '')") }}) + 1)) as word_position
    from topic_taxonomy

),

keyword_terms as (

    select
        keyword_words.keyword,
        keyword_words.topic,
        keyword_words.product_area,
        string_agg(
            case
                when stop_words.role = 'negation' then keyword_words.word
                else {{ light_stem('keyword_words.word') }}
            end,
            ' ' order by keyword_words.word_position
        ) as term
    from keyword_words
    left join stop_words on keyword_words.word = stop_words.word
    where
        (stop_words.role is null or stop_words.role = 'negation')
        and length(keyword_words.word) >= 2
        and regexp_matches(keyword_words.word, '\p{L}')
    group by keyword_words.keyword, keyword_words.topic, keyword_words.product_area, keyword_words.keyword_length
    -- A keyword left with less than half of its words ('would be nice' -> nice) says too little to own a term.
    having 2 * count(*) >= keyword_words.keyword_length

),

term_owners as (

    select
        keyword_terms.term,
        min(keyword_terms.topic) as topic,
        arg_min(keyword_terms.product_area, keyword_terms.topic) as product_area,
        arg_min(team_routing.owning_team, keyword_terms.topic) as owning_team
    from keyword_terms
    left join team_routing on keyword_terms.product_area = team_routing.product_area
    group by keyword_terms.term

),

-- Three short example messages per flagged term and week, distinct texts, handles masked; negative ones first for a
-- top complaint, else the latest.
flagged_terms as (

    select
        week_start,
        term,
        is_top_complaint
    from with_flags
    where is_emerging or is_top_complaint

),

example_candidates as (

    select
        flagged_terms.week_start,
        flagged_terms.term,
        customer_messages.body,
        max(case when flagged_terms.is_top_complaint and customer_messages.is_negative then 1 else 0 end) as preferred,
        max(customer_messages.occurred_at) as latest_at
    from message_terms
    inner join customer_messages on message_terms.interaction_key = customer_messages.interaction_key
    inner join flagged_terms
        on message_terms.term = flagged_terms.term and customer_messages.week_start = flagged_terms.week_start
    group by flagged_terms.week_start, flagged_terms.term, customer_messages.body

),

-- Only the first distinct raw texts of each term and week are masked and compared (masking is the costly part);
-- texts that differ only by a handle become one example after masking.
shortlisted as (

    select
        week_start,
        term,
        preferred,
        latest_at,
        trim(
            regexp_replace(
                regexp_replace(regexp_replace(body, '@\w+', '@user', 'g'), 'https?://\S+', 'http', 'g'),
                '\s+', ' ', 'g'
            )
        ) as example_text
    from example_candidates
    qualify row_number() over (
        partition by week_start, term order by preferred desc, latest_at desc, body asc
    ) <= {{ example_shortlist }}

),

distinct_examples as (

    select
        week_start,
        term,
        case
            when length(example_text) > {{ var('term_example_max_chars') }}
                then substring(example_text, 1, {{ var('term_example_max_chars') }} - 1) || '…'
            else example_text
        end as example_message,
        max(preferred) as preferred,
        max(latest_at) as latest_at
    from shortlisted
    group by week_start, term, example_text

),

numbered_examples as (

    select
        *,
        row_number() over (
            partition by week_start, term order by preferred desc, latest_at desc, example_message asc
        ) as example_number
    from distinct_examples

),

examples as (

    select
        week_start,
        term,
        max(case when example_number = 1 then example_message end) as example_message_1,
        max(case when example_number = 2 then example_message end) as example_message_2,
        max(case when example_number = 3 then example_message end) as example_message_3
    from numbered_examples
    where example_number <= 3
    group by week_start, term

),

typed as (

    select
        with_flags.week_start,
        with_flags.term,
        display_forms.display_term,
        term_owners.topic,
        term_owners.product_area,
        term_owners.owning_team,
        with_flags.is_emerging,
        with_flags.is_top_complaint,
        examples.example_message_1,
        examples.example_message_2,
        examples.example_message_3,
        cast(with_flags.word_count as integer) as word_count,
        cast(with_flags.mentions as integer) as mentions,
        cast(with_flags.distinct_authors as integer) as distinct_authors,
        cast(with_flags.negative_mentions as integer) as negative_mentions,
        cast(with_flags.week_messages as integer) as week_messages,
        cast(with_flags.baseline_weeks as integer) as baseline_weeks,
        cast(with_flags.baseline_mentions as double) as baseline_mentions,
        cast(with_flags.expected_mentions as double) as expected_mentions,
        cast(with_flags.lift as double) as lift,
        cast(with_flags.log_likelihood as double) as log_likelihood,
        cast(with_flags.emerging_rank as integer) as emerging_rank,
        cast(with_flags.complaint_rank as integer) as complaint_rank,
        cast(with_flags.negative_mentions as double) / with_flags.mentions as negative_share
    from with_flags
    left join display_forms on with_flags.term = display_forms.term
    left join term_owners on with_flags.term = term_owners.term
    left join examples on with_flags.week_start = examples.week_start and with_flags.term = examples.term

),

final as (

    select
        week_start,
        term,
        display_term,
        word_count,
        topic,
        product_area,
        owning_team,
        mentions,
        distinct_authors,
        negative_mentions,
        negative_share,
        week_messages,
        baseline_weeks,
        baseline_mentions,
        expected_mentions,
        lift,
        log_likelihood,
        is_emerging,
        emerging_rank,
        is_top_complaint,
        complaint_rank,
        example_message_1,
        example_message_2,
        example_message_3
    from typed

)

select * from final
