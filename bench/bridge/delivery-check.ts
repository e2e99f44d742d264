/**
 * Whether what was sent arrived once each, in order, in the right place, judged from what the
 * receiving simulator holds: each arrival is a text seen in a stream (a conversation's phone in
 * Chatwoot, a recipient's phone on WhatsApp), in the order the simulator stored them.
 */

export interface Expected {
  /** Where it must arrive: the phone of its chat. */
  stream: string;
  /** Its place among its stream's messages. */
  order: number;
}

export interface Arrival {
  stream: string;
  text: string;
}

export interface DeliveryCounts {
  sent: number;
  /** Distinct expected texts that arrived. */
  delivered: number;
  /** Sent, never arrived. */
  lost: number;
  /** Extra copies. */
  duplicated: number;
  /** Arrived after a later message of the same stream. */
  out_of_order: number;
  /** Arrived in another stream than its chat's. */
  misrouted: number;
}

export function checkDelivery(expected: ReadonlyMap<string, Expected>, arrivals: Iterable<Arrival>): DeliveryCounts {
  const seen = new Set<string>();
  const latestOrder = new Map<string, number>();
  let duplicated = 0;
  let outOfOrder = 0;
  let misrouted = 0;
  for (const arrival of arrivals) {
    const wanted = expected.get(arrival.text);
    if (wanted === undefined) continue; // another phase's message, or the system's own
    if (seen.has(arrival.text)) {
      duplicated += 1;
      continue;
    }
    seen.add(arrival.text);
    if (arrival.stream !== wanted.stream) misrouted += 1;
    const latest = latestOrder.get(arrival.stream) ?? -Infinity;
    if (wanted.order < latest) outOfOrder += 1;
    latestOrder.set(arrival.stream, Math.max(latest, wanted.order));
  }
  return { sent: expected.size, delivered: seen.size, lost: expected.size - seen.size, duplicated, out_of_order: outOfOrder, misrouted };
}
