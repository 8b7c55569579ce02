/**
 * The demo campaign, written for Banner from the facts of the argument in shared/seed.
 * Its slug is part of the public contract.
 */
export const DEMO_CAMPAIGN = {
  slug: "convene-oic-on-kashmir",
  title: "OIC: convene your foreign ministers on Kashmir",
  summary:
    "The Organisation of Islamic Cooperation has still not called its Council of Foreign Ministers together on Kashmir. Add your name to ask it to do so.",
  ask: "We call on the Organisation of Islamic Cooperation to convene a session of its Council of Foreign Ministers dedicated to Kashmir, and on friendly states inside and outside the OIC to stand together behind that call.",
  addressed_to: "The Secretary-General and member states of the Organisation of Islamic Cooperation (OIC)",
  goal: 100_000,
  locale: "en",
  argument_md: `## A meeting that has never been called

On **5 August 2019**, India revoked Articles 370 and 35-A, the provisions that had given
Jammu and Kashmir its special constitutional status. Since the first anniversary of that
decision, Pakistan's government has made Kashmir the centre of its diplomacy, with its Foreign
Minister, Shah Mehmood Qureshi, and the country's diplomats carrying the effort.

One request has been at the heart of it: that the **Organisation of Islamic Cooperation**
bring its **Council of Foreign Ministers (CFM)** together to discuss the status of Kashmir.
It is a modest and reasonable request. The CFM is where the foreign ministers of the OIC's
member states meet to agree on shared positions, and Kashmir is a question on which the
organisation has long said it cares. Yet no such session has been convened.

## Why the foreign ministers, and why now

- **Member states can make it happen.** The OIC's own members have the standing to press for
  a session of the CFM. What is missing is the will to use that influence.
- **Pressure works when it is shared.** Campaigns that combine the voices of many countries
  and many people, such as the Boycott, Divestment and Sanctions movement, have shown that
  coordinated pressure can move governments to the negotiating table. A clear position from
  the OIC's foreign ministers would be the starting point for dialogue on Kashmir.
- **It is a test of principle.** Alongside Palestine, Kashmir has become a measure of whether
  states and peoples stand by the right of self-determination they have long endorsed.

## Friends beyond one forum

Support for the people of Kashmir does not have to wait for every OIC member to agree.
States such as **Malaysia** and **Turkey** have already backed the call to end the military
siege in Indian-administered Kashmir. Pakistan has many partners, inside the Muslim world and
beyond it, each able to play a different part. They can act together on a common platform,
and the name of that platform matters far less than putting the voices of Kashmiris first.

## What your signature does

Every confirmed signature is counted once, by country, and the totals are public. When the
campaign delivers the petition, decision-makers see how many people, and from where, are
asking the OIC to convene its foreign ministers on Kashmir.`,
} as const;
