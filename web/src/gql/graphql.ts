/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type DecisionStatus =
  | 'decided'
  | 'pending'
  | 'superseded'
  | 'withdrawn';

export type DecisionUrgency =
  | 'daily'
  | 'immediate'
  | 'weekly';

export type DependencyStatus =
  | 'broken'
  | 'met'
  | 'pending';

export type DependencyType =
  | 'hard'
  | 'soft';

export type EpistemicClassification =
  | 'assumption'
  | 'fact'
  | 'simulation'
  | 'unknown';

export type VentureStatus =
  | 'active'
  | 'awaiting_decision'
  | 'exited'
  | 'killed'
  | 'paused'
  | 'sunset';

export type SignOutMutationVariables = Exact<{
  jti: string;
}>;


export type SignOutMutation = { revokeToken: { clientMutationId: string | null } | null };

export type DecisionQueryVariables = Exact<{
  id: string;
}>;


export type DecisionQuery = { chairmanDecisionByRowId: { rowId: string, decisionType: string, lifecycleStage: number, status: DecisionStatus, decision: string | null, notes: string | null, urgency: DecisionUrgency, blocking: boolean, createdAt: string, decidedAt: string | null, decidedBy: string | null, recommendedAction: string | null, reason: string | null, artifactType: string | null, artifactVersion: number | null, ventureByVentureId: { rowId: string, name: string, status: VentureStatus, currentLifecycleStage: number } | null, summary: Array<{ heading: string | null, lines: Array<string | null> | null } | null> | null, choices: Array<{ decision: string | null, outcome: string | null, effect: string | null, recommended: boolean | null } | null> | null } | null };

export type DecideMutationVariables = Exact<{
  id: string;
  decision: string;
  notes?: string | null | undefined;
}>;


export type DecideMutation = { decide: { result: { rowId: string, status: DecisionStatus, decision: string | null, decidedAt: string | null } | null } | null };

export type DecisionEventsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DecisionEventsSubscription = { evaEvent: { eventType: string, payload: unknown } | null };

export type DependenciesQueryVariables = Exact<{ [key: string]: never; }>;


export type DependenciesQuery = { allDependencyGraphs: { totalCount: number, nodes: Array<{ dependencyId: string | null, dependentVentureId: string | null, dependentName: string | null, dependentStage: number | null, providerVentureId: string | null, providerName: string | null, providerStage: number | null, requiredStage: number | null, dependencyType: DependencyType | null, status: DependencyStatus | null, onCriticalPath: boolean | null, stagesBehind: number | null } | null> } | null };

export type FeedEventFragment = { rowId: string, eventType: string, ventureId: string | null, createdAt: string, cursor: string, payload: unknown, ventureByVentureId: { name: string } | null };

export type EventsQueryVariables = Exact<{ [key: string]: never; }>;


export type EventsQuery = { eventFeedRecent: { nodes: Array<{ rowId: string, eventType: string, ventureId: string | null, createdAt: string, cursor: string, payload: unknown, ventureByVentureId: { name: string } | null } | null> } | null };

export type EventsLiveSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type EventsLiveSubscription = { evaEvent: { rowId: string, eventType: string, ventureId: string | null, createdAt: string, cursor: string, payload: unknown, ventureByVentureId: { name: string } | null } | null };

export type InboxQueryVariables = Exact<{ [key: string]: never; }>;


export type InboxQuery = { allNotifications: { totalCount: number, nodes: Array<{ rowId: string, notificationType: string, urgency: DecisionUrgency, summary: string, actionPath: string, readAt: string | null, createdAt: string, ventureByVentureId: { name: string } | null } | null> } | null };

export type ReadMutationVariables = Exact<{
  id: string;
  read: boolean;
}>;


export type ReadMutation = { notificationRead: { clientMutationId: string | null } | null };

export type ReadAllMutationVariables = Exact<{ [key: string]: never; }>;


export type ReadAllMutation = { notificationsReadAll: { clientMutationId: string | null } | null };

export type InboxEventsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type InboxEventsSubscription = { evaEvent: { rowId: string } | null };

export type PortfolioQueryVariables = Exact<{ [key: string]: never; }>;


export type PortfolioQuery = { allPortfolioMetrics: { nodes: Array<{ venturesTotal: string | null, venturesActive: string | null, venturesAwaitingDecision: string | null, venturesKilled: string | null, venturesSunset: string | null, venturesExited: string | null, venturesPaused: string | null, killRate: string | null, successRate: string | null, avgCycleDays: string | null, autoProceedRate: string | null, totalRevenue: string | null, pendingDecisions: string | null } | null> } | null, allVentureHealthHeatmaps: { totalCount: number, nodes: Array<{ ventureId: string | null, ventureName: string | null, status: VentureStatus | null, lifecycleStage: number | null, product: number | null, market: number | null, technical: number | null, financial: number | null, team: number | null, overall: number | null, band: string | null, healthSource: string | null } | null> } | null, portfolioMetricsHistory: { nodes: Array<{ period: number | null, periodStart: string | null, periodEnd: string | null, venturesCreated: number | null, venturesEnded: number | null, venturesKilled: number | null, killRate: string | null, outcomes: number | null, successes: number | null, successRate: string | null, stageTransitions: number | null, cycleDays: string | null, dfeEvaluated: number | null, autoProceedRate: string | null, revenue: string | null, revenueVentures: number | null, revenueSimulated: boolean | null } | null> } | null };

export type QueueRowFragment = { decisionId: string | null, ventureName: string | null, decisionType: string | null, lifecycleStage: number | null, urgency: DecisionUrgency | null, blocking: boolean | null, createdAt: string | null, reason: string | null, recommendedAction: string | null, priorityScore: string | null };

export type QueueQueryVariables = Exact<{
  first: number;
}>;


export type QueueQuery = { pendingDecisionCount: string | null, allDecisionQueues: { nodes: Array<{ decisionId: string | null, ventureName: string | null, decisionType: string | null, lifecycleStage: number | null, urgency: DecisionUrgency | null, blocking: boolean | null, createdAt: string | null, reason: string | null, recommendedAction: string | null, priorityScore: string | null } | null> } | null };

export type QueueLiveSubscriptionVariables = Exact<{
  first: number;
}>;


export type QueueLiveSubscription = { decisionQueueChanged: { pendingCount: number, queue: Array<{ decisionId: string | null, ventureName: string | null, decisionType: string | null, lifecycleStage: number | null, urgency: DecisionUrgency | null, blocking: boolean | null, createdAt: string | null, reason: string | null, recommendedAction: string | null, priorityScore: string | null }> } | null };

export type ScheduleQueryVariables = Exact<{ [key: string]: never; }>;


export type ScheduleQuery = { ventureSchedule: { totalCount: number, nodes: Array<{ ventureId: string | null, ventureName: string | null, kind: string | null, dueAt: string | null, riskBand: string | null, cadenceSource: string | null, cadenceInterval: { days: number | null, hours: number | null, minutes: number | null } | null } | null> } | null };

export type VentureQueryVariables = Exact<{
  id: string;
  withDecisions: boolean;
}>;


export type VentureQuery = { ventureByRowId: { rowId: string, name: string, status: VentureStatus, currentLifecycleStage: number, stageEnteredAt: string, description: string, targetMarket: string, healthScore: string | null, ventureStageTransitionsByVentureId: { nodes: Array<{ fromStage: number, toStage: number, transitionType: string, gateDecision: string | null, reason: string | null, createdAt: string } | null> }, ventureArtifactsByVentureId: { nodes: Array<{ lifecycleStage: number, artifactType: string, version: number, isCurrent: boolean, qualityScore: number | null, epistemicClassification: EpistemicClassification, createdAt: string, content: unknown } | null> }, chairmanDecisionsByVentureId?: { nodes: Array<{ rowId: string, decisionType: string, lifecycleStage: number, status: DecisionStatus, decision: string | null, createdAt: string, reason: string | null } | null> } } | null, banditArmsAt: { nodes: Array<{ armId: string | null, scope: string | null, scopeKey: string | null, armValue: string | null, status: string | null, observations: number | null, posteriorMean: number | null, intervalLow: number | null, intervalHigh: number | null, lastSelectedAt: string | null } | null> } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const FeedEventFragmentDoc = new TypedDocumentString(`
    fragment FeedEvent on EvaEventLog {
  rowId
  eventType
  ventureId
  createdAt
  cursor
  payload
  ventureByVentureId {
    name
  }
}
    `, {"fragmentName":"FeedEvent"}) as unknown as TypedDocumentString<FeedEventFragment, unknown>;
export const QueueRowFragmentDoc = new TypedDocumentString(`
    fragment QueueRow on DecisionQueue {
  decisionId
  ventureName
  decisionType
  lifecycleStage
  urgency
  blocking
  createdAt
  reason
  recommendedAction
  priorityScore
}
    `, {"fragmentName":"QueueRow"}) as unknown as TypedDocumentString<QueueRowFragment, unknown>;
export const SignOutDocument = new TypedDocumentString(`
    mutation SignOut($jti: UUID!) {
  revokeToken(input: {pJti: $jti}) {
    clientMutationId
  }
}
    `) as unknown as TypedDocumentString<SignOutMutation, SignOutMutationVariables>;
export const DecisionDocument = new TypedDocumentString(`
    query Decision($id: UUID!) {
  chairmanDecisionByRowId(rowId: $id) {
    rowId
    decisionType
    lifecycleStage
    status
    decision
    notes
    urgency
    blocking
    createdAt
    decidedAt
    decidedBy
    recommendedAction
    reason
    artifactType
    artifactVersion
    ventureByVentureId {
      rowId
      name
      status
      currentLifecycleStage
    }
    summary {
      heading
      lines
    }
    choices {
      decision
      outcome
      effect
      recommended
    }
  }
}
    `) as unknown as TypedDocumentString<DecisionQuery, DecisionQueryVariables>;
export const DecideDocument = new TypedDocumentString(`
    mutation Decide($id: UUID!, $decision: String!, $notes: String) {
  decide(input: {pDecisionId: $id, pDecision: $decision, pNotes: $notes}) {
    result {
      rowId
      status
      decision
      decidedAt
    }
  }
}
    `) as unknown as TypedDocumentString<DecideMutation, DecideMutationVariables>;
export const DecisionEventsDocument = new TypedDocumentString(`
    subscription DecisionEvents {
  evaEvent {
    eventType
    payload
  }
}
    `) as unknown as TypedDocumentString<DecisionEventsSubscription, DecisionEventsSubscriptionVariables>;
export const DependenciesDocument = new TypedDocumentString(`
    query Dependencies {
  allDependencyGraphs(first: 1000) {
    totalCount
    nodes {
      dependencyId
      dependentVentureId
      dependentName
      dependentStage
      providerVentureId
      providerName
      providerStage
      requiredStage
      dependencyType
      status
      onCriticalPath
      stagesBehind
    }
  }
}
    `) as unknown as TypedDocumentString<DependenciesQuery, DependenciesQueryVariables>;
export const EventsDocument = new TypedDocumentString(`
    query Events {
  eventFeedRecent(pWindow: 1000) {
    nodes {
      ...FeedEvent
    }
  }
}
    fragment FeedEvent on EvaEventLog {
  rowId
  eventType
  ventureId
  createdAt
  cursor
  payload
  ventureByVentureId {
    name
  }
}`) as unknown as TypedDocumentString<EventsQuery, EventsQueryVariables>;
export const EventsLiveDocument = new TypedDocumentString(`
    subscription EventsLive($after: String) {
  evaEvent(feedOnly: true, after: $after) {
    ...FeedEvent
  }
}
    fragment FeedEvent on EvaEventLog {
  rowId
  eventType
  ventureId
  createdAt
  cursor
  payload
  ventureByVentureId {
    name
  }
}`) as unknown as TypedDocumentString<EventsLiveSubscription, EventsLiveSubscriptionVariables>;
export const InboxDocument = new TypedDocumentString(`
    query Inbox {
  allNotifications(first: 200, orderBy: [CREATED_AT_DESC]) {
    totalCount
    nodes {
      rowId
      notificationType
      urgency
      summary
      actionPath
      readAt
      createdAt
      ventureByVentureId {
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<InboxQuery, InboxQueryVariables>;
export const ReadDocument = new TypedDocumentString(`
    mutation Read($id: UUID!, $read: Boolean!) {
  notificationRead(input: {pId: $id, pRead: $read}) {
    clientMutationId
  }
}
    `) as unknown as TypedDocumentString<ReadMutation, ReadMutationVariables>;
export const ReadAllDocument = new TypedDocumentString(`
    mutation ReadAll {
  notificationsReadAll(input: {}) {
    clientMutationId
  }
}
    `) as unknown as TypedDocumentString<ReadAllMutation, ReadAllMutationVariables>;
export const InboxEventsDocument = new TypedDocumentString(`
    subscription InboxEvents {
  evaEvent {
    rowId
  }
}
    `) as unknown as TypedDocumentString<InboxEventsSubscription, InboxEventsSubscriptionVariables>;
export const PortfolioDocument = new TypedDocumentString(`
    query Portfolio {
  allPortfolioMetrics(first: 1) {
    nodes {
      venturesTotal
      venturesActive
      venturesAwaitingDecision
      venturesKilled
      venturesSunset
      venturesExited
      venturesPaused
      killRate
      successRate
      avgCycleDays
      autoProceedRate
      totalRevenue
      pendingDecisions
    }
  }
  allVentureHealthHeatmaps(first: 1000) {
    totalCount
    nodes {
      ventureId
      ventureName
      status
      lifecycleStage
      product
      market
      technical
      financial
      team
      overall
      band
      healthSource
    }
  }
  portfolioMetricsHistory(pPeriods: 12) {
    nodes {
      period
      periodStart
      periodEnd
      venturesCreated
      venturesEnded
      venturesKilled
      killRate
      outcomes
      successes
      successRate
      stageTransitions
      cycleDays
      dfeEvaluated
      autoProceedRate
      revenue
      revenueVentures
      revenueSimulated
    }
  }
}
    `) as unknown as TypedDocumentString<PortfolioQuery, PortfolioQueryVariables>;
export const QueueDocument = new TypedDocumentString(`
    query Queue($first: Int!) {
  allDecisionQueues(first: $first) {
    nodes {
      ...QueueRow
    }
  }
  pendingDecisionCount
}
    fragment QueueRow on DecisionQueue {
  decisionId
  ventureName
  decisionType
  lifecycleStage
  urgency
  blocking
  createdAt
  reason
  recommendedAction
  priorityScore
}`) as unknown as TypedDocumentString<QueueQuery, QueueQueryVariables>;
export const QueueLiveDocument = new TypedDocumentString(`
    subscription QueueLive($first: Int!) {
  decisionQueueChanged(first: $first) {
    queue {
      ...QueueRow
    }
    pendingCount
  }
}
    fragment QueueRow on DecisionQueue {
  decisionId
  ventureName
  decisionType
  lifecycleStage
  urgency
  blocking
  createdAt
  reason
  recommendedAction
  priorityScore
}`) as unknown as TypedDocumentString<QueueLiveSubscription, QueueLiveSubscriptionVariables>;
export const ScheduleDocument = new TypedDocumentString(`
    query Schedule {
  ventureSchedule(first: 1000) {
    totalCount
    nodes {
      ventureId
      ventureName
      kind
      dueAt
      riskBand
      cadenceSource
      cadenceInterval {
        days
        hours
        minutes
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ScheduleQuery, ScheduleQueryVariables>;
export const VentureDocument = new TypedDocumentString(`
    query Venture($id: UUID!, $withDecisions: Boolean!) {
  ventureByRowId(rowId: $id) {
    rowId
    name
    status
    currentLifecycleStage
    stageEnteredAt
    description
    targetMarket
    healthScore
    ventureStageTransitionsByVentureId(first: 500) {
      nodes {
        fromStage
        toStage
        transitionType
        gateDecision
        reason
        createdAt
      }
    }
    ventureArtifactsByVentureId(first: 500) {
      nodes {
        lifecycleStage
        artifactType
        version
        isCurrent
        qualityScore
        epistemicClassification
        createdAt
        content
      }
    }
    chairmanDecisionsByVentureId(first: 100) @include(if: $withDecisions) {
      nodes {
        rowId
        decisionType
        lifecycleStage
        status
        decision
        createdAt
        reason
      }
    }
  }
  banditArmsAt(pVentureId: $id, first: 200) {
    nodes {
      armId
      scope
      scopeKey
      armValue
      status
      observations
      posteriorMean
      intervalLow
      intervalHigh
      lastSelectedAt
    }
  }
}
    `) as unknown as TypedDocumentString<VentureQuery, VentureQueryVariables>;