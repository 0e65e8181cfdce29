-- Bots are filtered before anything counts (link-preview fetchers such as
-- every Mastodon instance fetching a posted link, crawlers, mail security
-- scanners that click every link): an event is a bot's when its properties say
-- so ($bot / bot) or its user agent is one of those.
create or replace function marketing.fn_is_bot(p_properties jsonb)
returns boolean
language sql
immutable
parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select coalesce(p_properties ->> 'bot', p_properties ->> '$bot', '') in ('true', '1')
    or coalesce(p_properties ->> 'user_agent', p_properties ->> '$raw_user_agent', p_properties ->> 'userAgent', '')
       ~* '(bot\M|crawler|spider|preview|Mastodon/|Pleroma|Akkoma|Misskey|Friendica|GoToSocial|facebookexternalhit|Slackbot|Twitterbot|Discordbot|TelegramBot|WhatsApp|LinkedInBot|Bluesky Cardyb|Googlebot|bingbot|curl/|Wget|python-requests|Go-http-client|HeadlessChrome|Barracuda|Mimecast|Proofpoint|urlscan|Microsoft Office Existence|Safe ?Links)';
$$;
comment on function marketing.fn_is_bot(jsonb) is
  'Whether an event''s properties are a bot''s: properties.bot/$bot true, or a user agent (user_agent, $raw_user_agent, userAgent) of a link-preview fetcher (Mastodon/, Slackbot...), crawler or mail scanner.';
grant execute on function marketing.fn_is_bot(jsonb) to eva_service;
