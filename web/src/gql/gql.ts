/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation SignOut($jti: UUID!) { revokeToken(input: { pJti: $jti }) { clientMutationId } }": typeof types.SignOutDocument,
    "query Decision($id: UUID!) {\n  chairmanDecisionByRowId(rowId: $id) {\n    rowId decisionType lifecycleStage status decision notes urgency blocking createdAt decidedAt decidedBy\n    recommendedAction reason artifactType artifactVersion\n    ventureByVentureId { rowId name status currentLifecycleStage }\n    summary { heading lines }\n    choices { decision outcome effect recommended }\n  }\n}": typeof types.DecisionDocument,
    "mutation Decide($id: UUID!, $decision: String!, $notes: String) {\n  decide(input: { pDecisionId: $id, pDecision: $decision, pNotes: $notes }) {\n    result { rowId status decision decidedAt }\n  }\n}": typeof types.DecideDocument,
    "subscription DecisionEvents { evaEvent { eventType payload } }": typeof types.DecisionEventsDocument,
    "query Dependencies { allDependencyGraphs(first: 1000) { totalCount nodes { dependencyId dependentVentureId\n  dependentName dependentStage providerVentureId providerName providerStage requiredStage dependencyType status\n  onCriticalPath stagesBehind } } }": typeof types.DependenciesDocument,
    "fragment FeedEvent on EvaEventLog { rowId eventType ventureId createdAt cursor payload ventureByVentureId { name } }": typeof types.FeedEventFragmentDoc,
    "query Events { eventFeedRecent(pWindow: 1000) { nodes { ...FeedEvent } } }": typeof types.EventsDocument,
    "subscription EventsLive($after: String) { evaEvent(feedOnly: true, after: $after) { ...FeedEvent } }": typeof types.EventsLiveDocument,
    "query Inbox {\n  allNotifications(first: 200, orderBy: [CREATED_AT_DESC]) { totalCount nodes {\n    rowId notificationType urgency summary actionPath readAt createdAt ventureByVentureId { name } } }\n}": typeof types.InboxDocument,
    "mutation Read($id: UUID!, $read: Boolean!) { notificationRead(input: { pId: $id, pRead: $read }) { clientMutationId } }": typeof types.ReadDocument,
    "mutation ReadAll { notificationsReadAll(input: {}) { clientMutationId } }": typeof types.ReadAllDocument,
    "subscription InboxEvents { evaEvent { rowId } }": typeof types.InboxEventsDocument,
    "query Portfolio {\n  allPortfolioMetrics(first: 1) { nodes { venturesTotal venturesActive venturesAwaitingDecision venturesKilled venturesSunset\n    venturesExited venturesPaused killRate successRate avgCycleDays autoProceedRate totalRevenue pendingDecisions } }\n  allVentureHealthHeatmaps(first: 1000) { totalCount nodes { ventureId ventureName status lifecycleStage product market\n    technical financial team overall band healthSource } }\n  portfolioMetricsHistory(pPeriods: 12) { nodes { period periodStart periodEnd venturesCreated venturesEnded venturesKilled\n    killRate outcomes successes successRate stageTransitions cycleDays dfeEvaluated autoProceedRate revenue revenueVentures\n    revenueSimulated } }\n}": typeof types.PortfolioDocument,
    "fragment QueueRow on DecisionQueue { decisionId ventureName decisionType lifecycleStage urgency blocking createdAt\n  reason recommendedAction priorityScore }": typeof types.QueueRowFragmentDoc,
    "query Queue($first: Int!) { allDecisionQueues(first: $first) { nodes { ...QueueRow } } pendingDecisionCount }": typeof types.QueueDocument,
    "subscription QueueLive($first: Int!) { decisionQueueChanged(first: $first) { queue { ...QueueRow } pendingCount } }": typeof types.QueueLiveDocument,
    "query Schedule { ventureSchedule(first: 1000) { totalCount nodes { ventureId ventureName kind dueAt riskBand\n  cadenceSource cadenceInterval { days hours minutes } } } }": typeof types.ScheduleDocument,
    "query Venture($id: UUID!, $withDecisions: Boolean!) {\n  ventureByRowId(rowId: $id) {\n    rowId name status currentLifecycleStage stageEnteredAt description targetMarket healthScore\n    ventureStageTransitionsByVentureId(first: 500) { nodes { fromStage toStage transitionType gateDecision reason createdAt } }\n    ventureArtifactsByVentureId(first: 500) { nodes { lifecycleStage artifactType version isCurrent qualityScore\n      epistemicClassification createdAt content } }\n    chairmanDecisionsByVentureId(first: 100) @include(if: $withDecisions) { nodes { rowId decisionType lifecycleStage\n      status decision createdAt reason } }\n  }\n  banditArmsAt(pVentureId: $id, first: 200) {\n    nodes { armId scope scopeKey armValue status observations posteriorMean intervalLow intervalHigh lastSelectedAt }\n  }\n}": typeof types.VentureDocument,
};
const documents: Documents = {
    "mutation SignOut($jti: UUID!) { revokeToken(input: { pJti: $jti }) { clientMutationId } }": types.SignOutDocument,
    "query Decision($id: UUID!) {\n  chairmanDecisionByRowId(rowId: $id) {\n    rowId decisionType lifecycleStage status decision notes urgency blocking createdAt decidedAt decidedBy\n    recommendedAction reason artifactType artifactVersion\n    ventureByVentureId { rowId name status currentLifecycleStage }\n    summary { heading lines }\n    choices { decision outcome effect recommended }\n  }\n}": types.DecisionDocument,
    "mutation Decide($id: UUID!, $decision: String!, $notes: String) {\n  decide(input: { pDecisionId: $id, pDecision: $decision, pNotes: $notes }) {\n    result { rowId status decision decidedAt }\n  }\n}": types.DecideDocument,
    "subscription DecisionEvents { evaEvent { eventType payload } }": types.DecisionEventsDocument,
    "query Dependencies { allDependencyGraphs(first: 1000) { totalCount nodes { dependencyId dependentVentureId\n  dependentName dependentStage providerVentureId providerName providerStage requiredStage dependencyType status\n  onCriticalPath stagesBehind } } }": types.DependenciesDocument,
    "fragment FeedEvent on EvaEventLog { rowId eventType ventureId createdAt cursor payload ventureByVentureId { name } }": types.FeedEventFragmentDoc,
    "query Events { eventFeedRecent(pWindow: 1000) { nodes { ...FeedEvent } } }": types.EventsDocument,
    "subscription EventsLive($after: String) { evaEvent(feedOnly: true, after: $after) { ...FeedEvent } }": types.EventsLiveDocument,
    "query Inbox {\n  allNotifications(first: 200, orderBy: [CREATED_AT_DESC]) { totalCount nodes {\n    rowId notificationType urgency summary actionPath readAt createdAt ventureByVentureId { name } } }\n}": types.InboxDocument,
    "mutation Read($id: UUID!, $read: Boolean!) { notificationRead(input: { pId: $id, pRead: $read }) { clientMutationId } }": types.ReadDocument,
    "mutation ReadAll { notificationsReadAll(input: {}) { clientMutationId } }": types.ReadAllDocument,
    "subscription InboxEvents { evaEvent { rowId } }": types.InboxEventsDocument,
    "query Portfolio {\n  allPortfolioMetrics(first: 1) { nodes { venturesTotal venturesActive venturesAwaitingDecision venturesKilled venturesSunset\n    venturesExited venturesPaused killRate successRate avgCycleDays autoProceedRate totalRevenue pendingDecisions } }\n  allVentureHealthHeatmaps(first: 1000) { totalCount nodes { ventureId ventureName status lifecycleStage product market\n    technical financial team overall band healthSource } }\n  portfolioMetricsHistory(pPeriods: 12) { nodes { period periodStart periodEnd venturesCreated venturesEnded venturesKilled\n    killRate outcomes successes successRate stageTransitions cycleDays dfeEvaluated autoProceedRate revenue revenueVentures\n    revenueSimulated } }\n}": types.PortfolioDocument,
    "fragment QueueRow on DecisionQueue { decisionId ventureName decisionType lifecycleStage urgency blocking createdAt\n  reason recommendedAction priorityScore }": types.QueueRowFragmentDoc,
    "query Queue($first: Int!) { allDecisionQueues(first: $first) { nodes { ...QueueRow } } pendingDecisionCount }": types.QueueDocument,
    "subscription QueueLive($first: Int!) { decisionQueueChanged(first: $first) { queue { ...QueueRow } pendingCount } }": types.QueueLiveDocument,
    "query Schedule { ventureSchedule(first: 1000) { totalCount nodes { ventureId ventureName kind dueAt riskBand\n  cadenceSource cadenceInterval { days hours minutes } } } }": types.ScheduleDocument,
    "query Venture($id: UUID!, $withDecisions: Boolean!) {\n  ventureByRowId(rowId: $id) {\n    rowId name status currentLifecycleStage stageEnteredAt description targetMarket healthScore\n    ventureStageTransitionsByVentureId(first: 500) { nodes { fromStage toStage transitionType gateDecision reason createdAt } }\n    ventureArtifactsByVentureId(first: 500) { nodes { lifecycleStage artifactType version isCurrent qualityScore\n      epistemicClassification createdAt content } }\n    chairmanDecisionsByVentureId(first: 100) @include(if: $withDecisions) { nodes { rowId decisionType lifecycleStage\n      status decision createdAt reason } }\n  }\n  banditArmsAt(pVentureId: $id, first: 200) {\n    nodes { armId scope scopeKey armValue status observations posteriorMean intervalLow intervalHigh lastSelectedAt }\n  }\n}": types.VentureDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignOut($jti: UUID!) { revokeToken(input: { pJti: $jti }) { clientMutationId } }"): typeof import('./graphql').SignOutDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Decision($id: UUID!) {\n  chairmanDecisionByRowId(rowId: $id) {\n    rowId decisionType lifecycleStage status decision notes urgency blocking createdAt decidedAt decidedBy\n    recommendedAction reason artifactType artifactVersion\n    ventureByVentureId { rowId name status currentLifecycleStage }\n    summary { heading lines }\n    choices { decision outcome effect recommended }\n  }\n}"): typeof import('./graphql').DecisionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Decide($id: UUID!, $decision: String!, $notes: String) {\n  decide(input: { pDecisionId: $id, pDecision: $decision, pNotes: $notes }) {\n    result { rowId status decision decidedAt }\n  }\n}"): typeof import('./graphql').DecideDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription DecisionEvents { evaEvent { eventType payload } }"): typeof import('./graphql').DecisionEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Dependencies { allDependencyGraphs(first: 1000) { totalCount nodes { dependencyId dependentVentureId\n  dependentName dependentStage providerVentureId providerName providerStage requiredStage dependencyType status\n  onCriticalPath stagesBehind } } }"): typeof import('./graphql').DependenciesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment FeedEvent on EvaEventLog { rowId eventType ventureId createdAt cursor payload ventureByVentureId { name } }"): typeof import('./graphql').FeedEventFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Events { eventFeedRecent(pWindow: 1000) { nodes { ...FeedEvent } } }"): typeof import('./graphql').EventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription EventsLive($after: String) { evaEvent(feedOnly: true, after: $after) { ...FeedEvent } }"): typeof import('./graphql').EventsLiveDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Inbox {\n  allNotifications(first: 200, orderBy: [CREATED_AT_DESC]) { totalCount nodes {\n    rowId notificationType urgency summary actionPath readAt createdAt ventureByVentureId { name } } }\n}"): typeof import('./graphql').InboxDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Read($id: UUID!, $read: Boolean!) { notificationRead(input: { pId: $id, pRead: $read }) { clientMutationId } }"): typeof import('./graphql').ReadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ReadAll { notificationsReadAll(input: {}) { clientMutationId } }"): typeof import('./graphql').ReadAllDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription InboxEvents { evaEvent { rowId } }"): typeof import('./graphql').InboxEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Portfolio {\n  allPortfolioMetrics(first: 1) { nodes { venturesTotal venturesActive venturesAwaitingDecision venturesKilled venturesSunset\n    venturesExited venturesPaused killRate successRate avgCycleDays autoProceedRate totalRevenue pendingDecisions } }\n  allVentureHealthHeatmaps(first: 1000) { totalCount nodes { ventureId ventureName status lifecycleStage product market\n    technical financial team overall band healthSource } }\n  portfolioMetricsHistory(pPeriods: 12) { nodes { period periodStart periodEnd venturesCreated venturesEnded venturesKilled\n    killRate outcomes successes successRate stageTransitions cycleDays dfeEvaluated autoProceedRate revenue revenueVentures\n    revenueSimulated } }\n}"): typeof import('./graphql').PortfolioDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment QueueRow on DecisionQueue { decisionId ventureName decisionType lifecycleStage urgency blocking createdAt\n  reason recommendedAction priorityScore }"): typeof import('./graphql').QueueRowFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Queue($first: Int!) { allDecisionQueues(first: $first) { nodes { ...QueueRow } } pendingDecisionCount }"): typeof import('./graphql').QueueDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription QueueLive($first: Int!) { decisionQueueChanged(first: $first) { queue { ...QueueRow } pendingCount } }"): typeof import('./graphql').QueueLiveDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Schedule { ventureSchedule(first: 1000) { totalCount nodes { ventureId ventureName kind dueAt riskBand\n  cadenceSource cadenceInterval { days hours minutes } } } }"): typeof import('./graphql').ScheduleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Venture($id: UUID!, $withDecisions: Boolean!) {\n  ventureByRowId(rowId: $id) {\n    rowId name status currentLifecycleStage stageEnteredAt description targetMarket healthScore\n    ventureStageTransitionsByVentureId(first: 500) { nodes { fromStage toStage transitionType gateDecision reason createdAt } }\n    ventureArtifactsByVentureId(first: 500) { nodes { lifecycleStage artifactType version isCurrent qualityScore\n      epistemicClassification createdAt content } }\n    chairmanDecisionsByVentureId(first: 100) @include(if: $withDecisions) { nodes { rowId decisionType lifecycleStage\n      status decision createdAt reason } }\n  }\n  banditArmsAt(pVentureId: $id, first: 200) {\n    nodes { armId scope scopeKey armValue status observations posteriorMean intervalLow intervalHigh lastSelectedAt }\n  }\n}"): typeof import('./graphql').VentureDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
