// Who is who: user ids to names, for owners, handovers, transfers and the wallboard.
import { api } from "./api.js";

let people = [];

export async function loadPeople() {
  try { people = await api("GET", "/api/users"); } catch (e) { people = []; }
  return people;
}

export function everyone() { return people; }

export function nameOf(id) {
  if (id == null) return "—";
  const p = people.find((u) => u.id === id);
  return p ? (p.display_name || p.username) + " (" + p.username + ")" : "#" + id;
}

/** [value, label] pairs of the agents other than ``exceptId``, for a <select>. */
export function agentChoices(exceptId) {
  return people.filter((p) => p.id !== exceptId).map((p) => [String(p.id), nameOf(p.id)]);
}
