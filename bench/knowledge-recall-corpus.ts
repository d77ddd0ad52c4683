/**
 * The data of bench/knowledge-recall.ts: the support knowledge base of Halvard,
 * a fictional maker of home climate appliances, and questions asked of it with
 * the documents that answer them.
 *
 * Product and spare-part pages and error-code articles come from tables below
 * (specs are seeded, so they are the same on every run); how-tos, troubleshooting
 * articles, policies and account pages are written by hand. The base holds on
 * purpose what makes retrieval hard: look-alike model codes (KX-7Q31, KX-7Q13,
 * KX-7Q31E), the same error code meaning different things on different product
 * families, and near-duplicate articles that share their keywords with another
 * one but answer something else.
 *
 * Queries come in three kinds, written as customers ask: `identifier` (a model,
 * part or error code), `keyword` (the words of the answer), `paraphrase` (the
 * need in other words, sharing few content words with the answer). They were
 * written from the documents, not from any method's results.
 *
 * This file is data: it is long because the knowledge base is.
 */

import { seededRandom } from './bench-data.js';

export type QueryKind = 'identifier' | 'keyword' | 'paraphrase';

export interface RecallDocument {
  /** Stable slug; stored as the document's name. */
  readonly id: string;
  readonly title: string;
  readonly body: string;
}

export interface RecallQuery {
  readonly text: string;
  readonly kind: QueryKind;
  /** Ids of every document that answers the query. */
  readonly relevant: readonly string[];
}

export interface RecallCorpus {
  readonly documents: readonly RecallDocument[];
  readonly queries: readonly RecallQuery[];
}

function seedOf(text: string): number {
  let hash = 2_166_136_261;
  for (const character of text) hash = Math.imul(hash ^ (character.codePointAt(0) ?? 0), 16_777_619);
  return hash >>> 0;
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');

// ---------------------------------------------------------------------------
// Products

type FamilyKey = 'purifier' | 'dehumidifier' | 'thermostat' | 'vacuum' | 'heater' | 'heatpump' | 'humidifier';

interface Family {
  readonly category: string;
  readonly warranty: string;
  /** Spec lines from the product's main figure (room size, litres, minutes…), a seeded random source and the capacity in words, if any. */
  readonly specs: (size: number, random: () => number, capacity?: string) => string[];
}

const round = (value: number, step = 1) => Math.round(value / step) * step;

const FAMILIES: Record<FamilyKey, Family> = {
  purifier: {
    category: 'air purifier',
    warranty: '2 years; 5 years on the fan motor when the product is registered',
    specs: (size, random) => [
      `Room size: up to ${size} m²; clean air delivery rate ${round(size * 6.8)} m³/h`,
      `Dimensions: ${round(170 + size * 2.6, 5)} × ${round(170 + size * 2.6, 5)} × ${round(320 + size * 6 + random() * 40, 5)} mm (W × D × H)`,
      `Weight: ${(1.4 + size * 0.13 + random()).toFixed(1)} kg`,
      `Power: ${round(8 + size * 0.9)} W at most, ${(0.5 + random()).toFixed(1)} W on standby`,
      `Noise: ${round(20 + random() * 6)} dB in sleep mode, ${round(44 + size / 6)} dB on boost`,
    ],
  },
  dehumidifier: {
    category: 'dehumidifier',
    warranty: '2 years; 5 years on the compressor',
    specs: (size, random) => [
      `Extraction: ${size} litres a day (30 °C, 80 % relative humidity); water tank ${Math.max(1, round(size / 5, 0.5))} litres`,
      `Dimensions: ${round(240 + size * 4, 5)} × ${round(180 + size * 3, 5)} × ${round(420 + size * 7 + random() * 30, 5)} mm (W × D × H)`,
      `Weight: ${(4 + size * 0.42 + random()).toFixed(1)} kg`,
      `Power: ${round(60 + size * 13)} W; refrigerant R290`,
      `Noise: ${round(36 + size / 3 + random() * 3)} dB`,
    ],
  },
  thermostat: {
    category: 'thermostat',
    warranty: '3 years',
    specs: (size, random) => [
      `Zones: controls up to ${size} heating zone${size === 1 ? '' : 's'}`,
      `Dimensions: ${round(84 + random() * 10)} × ${round(84 + random() * 10)} × ${round(18 + random() * 8)} mm`,
      `Weight: ${round(110 + random() * 90)} g`,
      `Temperature accuracy: ±${(0.1 + random() * 0.2).toFixed(1)} °C; display ${(2.4 + random() * 1.6).toFixed(1)} inches`,
    ],
  },
  vacuum: {
    category: 'vacuum cleaner',
    warranty: '2 years; 1 year on the battery',
    specs: (size, random) => [
      `Runtime: up to ${size} minutes on one charge; battery ${round(size * 45, 100)} mAh`,
      `Suction: ${round(size * 38, 100)} Pa; dust bin ${(0.3 + random() * 0.3).toFixed(2)} litres`,
      `Dimensions: ${round(330 + random() * 30)} mm across, ${round(80 + random() * 20)} mm high`,
      `Weight: ${(2.6 + random() * 1.6).toFixed(1)} kg`,
      `Noise: ${round(58 + random() * 10)} dB`,
    ],
  },
  heater: {
    category: 'water heater',
    warranty: '5 years on the tank or heat exchanger, 2 years on other parts',
    specs: (size, random, capacity) => [
      `Capacity: ${capacity ?? `${size} litres`}`,
      `Dimensions: ${round(420 + random() * 180, 5)} × ${round(380 + random() * 120, 5)} × ${round(500 + random() * 900, 5)} mm (W × D × H)`,
      `Weight (empty): ${round(12 + random() * 60)} kg`,
      `Maximum water pressure: ${(6 + random() * 4).toFixed(0)} bar; energy class ${random() < 0.5 ? 'B' : 'C'}`,
    ],
  },
  heatpump: {
    category: 'heat pump',
    warranty: '5 years with a yearly service by an approved installer; 7 years on the compressor',
    specs: (size, random) => [
      `Capacity: ${size.toFixed(1)} kW heating, ${(size * 0.9).toFixed(1)} kW cooling; SCOP ${(3.9 + random() * 1.2).toFixed(1)}`,
      `Dimensions: ${round(700 + size * 20 + random() * 60, 5)} × ${round(250 + random() * 100, 5)} × ${round(550 + size * 15, 5)} mm (W × D × H)`,
      `Weight: ${round(20 + size * 5 + random() * 10)} kg`,
      `Noise: ${round(19 + random() * 6)} dB indoors at the lowest speed, ${round(46 + size)} dB outdoors; refrigerant R32`,
    ],
  },
  humidifier: {
    category: 'humidifier',
    warranty: '2 years',
    specs: (size, random) => [
      `Water tank: ${size} litres; output up to ${round(size * 90 + random() * 40, 10)} ml an hour`,
      `Dimensions: ${round(150 + size * 20, 5)} × ${round(150 + size * 20, 5)} × ${round(200 + size * 45, 5)} mm`,
      `Weight: ${(0.4 + size * 0.55 + random() * 0.4).toFixed(1)} kg`,
      `Noise: ${round(24 + random() * 10)} dB`,
    ],
  },
};

interface Product {
  readonly code: string;
  readonly name: string;
  readonly family: FamilyKey;
  readonly year: number;
  /** The family's main figure: m² for purifiers, litres a day, zones, minutes, kW… */
  readonly size: number;
  /** Water heaters describe their capacity in words (litres or litres a minute). */
  readonly capacity?: string;
  readonly note: string;
}

const PRODUCTS: readonly Product[] = [
  // AeroPure air purifiers
  { code: 'KX-3A10', name: 'AeroPure 120', family: 'purifier', year: 2020, size: 12, note: 'A compact desk purifier powered over USB-C. No app, one button, three speeds.' },
  { code: 'KX-3A12', name: 'AeroPure 120 Plus', family: 'purifier', year: 2021, size: 14, note: 'The AeroPure 120 with a dimmable night light and a 2-, 4- or 8-hour timer.' },
  { code: 'KX-5M20', name: 'AeroPure 220', family: 'purifier', year: 2021, size: 25, note: 'A mechanical dial with three fan speeds; no sensors and no Wi-Fi.' },
  { code: 'KX-5M22', name: 'AeroPure 220 Smart', family: 'purifier', year: 2022, size: 25, note: 'Adds Wi-Fi, the Halvard Home app and a PM2.5 sensor to the AeroPure 220.' },
  { code: 'KX-7Q13', name: 'AeroPure 310', family: 'purifier', year: 2021, size: 40, note: 'Automatic mode driven by an infrared dust sensor and a remote control; no Wi-Fi. Replaced by the AeroPure 340 in 2022.' },
  { code: 'KX-7Q31', name: 'AeroPure 340', family: 'purifier', year: 2022, size: 45, note: 'Automatic mode driven by a laser PM2.5 sensor, Wi-Fi and the Halvard Home app, child lock, and an air quality ring that turns from blue to red.' },
  { code: 'KX-7Q31E', name: 'AeroPure 340 (EU)', family: 'purifier', year: 2022, size: 45, note: 'The European version of the KX-7Q31: a type F (Schuko) plug and CE marking; otherwise the same appliance.' },
  { code: 'KX-7Q33', name: 'AeroPure 340 Pet', family: 'purifier', year: 2023, size: 45, note: 'The AeroPure 340 with a washable pre-filter that catches pet hair and a thicker carbon layer against odours.' },
  { code: 'KX-9T04', name: 'AeroPure 400', family: 'purifier', year: 2020, size: 55, note: 'A large-room purifier with one fan and a remote control. Discontinued in 2023; filters stay on sale until 2030.' },
  { code: 'KX-9T40', name: 'AeroPure 480', family: 'purifier', year: 2023, size: 70, note: 'A large-room purifier with two fans, a formaldehyde sensor and Wi-Fi.' },
  { code: 'KX-9T44', name: 'AeroPure 480 Pro', family: 'purifier', year: 2024, size: 70, note: 'The AeroPure 480 with a UV-C chamber and Matter support for Apple Home and Google Home.' },
  { code: 'KX-2B05', name: 'AeroPure Car', family: 'purifier', year: 2022, size: 3, note: 'A car purifier that fits a cup holder and runs from the 12 V socket.' },
  { code: 'KX-6R18', name: 'AeroPure Tower 260', family: 'purifier', year: 2023, size: 30, note: 'A tower purifier with an oscillating fan, to cool a room in summer while it cleans the air.' },
  { code: 'KX-6R81', name: 'AeroPure Tower 260 Heat', family: 'purifier', year: 2024, size: 30, note: 'The AeroPure Tower 260 with a 1,800 W ceramic heater for winter, tip-over switch included.' },
  // DryWell dehumidifiers
  { code: 'DH-1A08', name: 'DryWell Compact 8', family: 'dehumidifier', year: 2021, size: 1, note: 'A thermo-electric (Peltier) mini dehumidifier for wardrobes and boats; silent, no compressor.' },
  { code: 'DH-2B16', name: 'DryWell 16', family: 'dehumidifier', year: 2020, size: 16, note: 'A compressor dehumidifier with a humidity dial and a full-tank light.' },
  { code: 'DH-2B61', name: 'DryWell Desiccant 6', family: 'dehumidifier', year: 2022, size: 6, note: 'A desiccant dehumidifier that keeps working in unheated garages and sheds down to 1 °C, where compressor models ice up.' },
  { code: 'DH-4C20', name: 'DryWell 20', family: 'dehumidifier', year: 2021, size: 20, note: 'A compressor dehumidifier with a hose outlet for continuous drainage.' },
  { code: 'DH-4C25', name: 'DryWell 25 Smart', family: 'dehumidifier', year: 2022, size: 25, note: 'Wi-Fi, the Halvard Home app, a digital humidistat and a hose outlet.' },
  { code: 'DH-4C52', name: 'DryWell 25 Pump', family: 'dehumidifier', year: 2023, size: 25, note: 'The DryWell 25 Smart with a built-in condensate pump that lifts water 5 metres, up to a sink or out of a window.' },
  { code: 'DH-6D30', name: 'DryWell 30 Laundry', family: 'dehumidifier', year: 2022, size: 30, note: 'A laundry mode that dries a load of washing indoors in about four hours, and a wide swing louvre.' },
  { code: 'DH-6D35', name: 'DryWell 35 Basement', family: 'dehumidifier', year: 2023, size: 35, note: 'Works down to 5 °C with hot-gas defrost, for cellars and basements; hose outlet and wheels.' },
  { code: 'DH-8F50', name: 'DryWell 50 Pro', family: 'dehumidifier', year: 2024, size: 50, note: 'A commercial unit for building sites and water-damage drying; hour counter, stackable frame.' },
  // TempoSense thermostats
  { code: 'TS-1R05', name: 'TempoSense Basic', family: 'thermostat', year: 2019, size: 1, note: 'A programmable thermostat on two AA batteries with a 7-day schedule; no Wi-Fi.' },
  { code: 'TS-1R50', name: 'TempoSense Wi-Fi', family: 'thermostat', year: 2021, size: 1, note: 'Wi-Fi and the Halvard Home app, geofencing (heating off when everyone has left), battery or C-wire power.' },
  { code: 'TS-3W11', name: 'TempoSense Pro', family: 'thermostat', year: 2022, size: 2, note: 'A learning schedule and an energy report; needs a C-wire (24 V AC common wire) or the C-wire adapter.' },
  { code: 'TS-3W12', name: 'TempoSense Pro Heat Pump', family: 'thermostat', year: 2023, size: 2, note: 'The TempoSense Pro for heat pumps with auxiliary or emergency heat stages, and dual-fuel systems.' },
  { code: 'TS-3W21', name: 'TempoSense Room Sensor', family: 'thermostat', year: 2022, size: 1, note: 'A wireless room sensor for the TempoSense Pro and Touch, so the thermostat can follow the room you are in; coin cell lasts about two years.' },
  { code: 'TS-5Z04', name: 'TempoSense Radiator Valve', family: 'thermostat', year: 2023, size: 1, note: 'A smart thermostatic radiator valve (TRV) with M30 × 1.5 thread and adapters for Danfoss valves.' },
  { code: 'TS-5Z40', name: 'TempoSense Zone Controller', family: 'thermostat', year: 2023, size: 8, note: 'Controls up to eight zones of wet underfloor heating through actuators on the manifold, with pump and boiler relays.' },
  { code: 'TS-7L70', name: 'TempoSense Touch', family: 'thermostat', year: 2024, size: 4, note: 'A colour touch screen, a built-in voice assistant and Matter; C-wire required.' },
  // Scoutbot vacuums
  { code: 'RV-5H15', name: 'Scoutbot Handy 15', family: 'vacuum', year: 2021, size: 40, note: 'A cordless stick vacuum, not a robot: converts to a handheld, with crevice and brush tools.' },
  { code: 'RV-5H51', name: 'Scoutbot Handy 51 Wet', family: 'vacuum', year: 2023, size: 35, note: 'A cordless wet-and-dry floor cleaner with clean and dirty water tanks and a self-cleaning roller.' },
  { code: 'RV-8N22', name: 'Scoutbot 22', family: 'vacuum', year: 2020, size: 110, note: 'A robot vacuum with gyroscope navigation (cleans in rows, no map) and a remote control.' },
  { code: 'RV-8N23', name: 'Scoutbot 22 Mop', family: 'vacuum', year: 2021, size: 100, note: 'The Scoutbot 22 with a clip-on water tank and mop pad.' },
  { code: 'RV-8N32', name: 'Scoutbot 32', family: 'vacuum', year: 2022, size: 150, note: 'A robot vacuum with lidar navigation, room maps in the app, no-go zones and carpet boost.' },
  { code: 'RV-9P04', name: 'Scoutbot 40 Lite', family: 'vacuum', year: 2023, size: 150, note: 'The Scoutbot 40 without the mop: lidar and a self-emptying dock.' },
  { code: 'RV-9P40', name: 'Scoutbot 40', family: 'vacuum', year: 2023, size: 180, note: 'Lidar, a self-emptying dock that holds 60 days of dust, and a vibrating mop.' },
  { code: 'RV-9P44', name: 'Scoutbot 44', family: 'vacuum', year: 2024, size: 180, note: 'The Scoutbot 40 with a mop that lifts 10 mm on carpets and front obstacle recognition by camera.' },
  { code: 'RV-9P48', name: 'Scoutbot 48 Ultra', family: 'vacuum', year: 2024, size: 200, note: 'A dock that empties the bin, washes the mop pads with warm water and dries them with hot air.' },
  // Hydra water heaters
  { code: 'WH-6H04', name: 'Hydra Instant 4', family: 'heater', year: 2021, size: 4, capacity: '4 kW instantaneous, about 2 litres a minute at 40 °C (one hand basin)', note: 'A compact under-sink instantaneous heater on a 13 A plug; no tank to heat.' },
  { code: 'WH-6H08', name: 'Hydra Instant 8', family: 'heater', year: 2022, size: 8, capacity: '8 kW instantaneous, about 4 litres a minute at 40 °C (kitchen sink or shower)', note: 'A hard-wired instantaneous heater that needs its own 40 A circuit.' },
  { code: 'WH-6H40', name: 'Hydra 40', family: 'heater', year: 2020, size: 40, capacity: '40-litre storage tank, 2 kW element, full heat-up in about 80 minutes', note: 'An electric storage heater for flats, with an eco mode and a magnesium anode.' },
  { code: 'WH-6H80', name: 'Hydra 80', family: 'heater', year: 2020, size: 80, capacity: '80-litre storage tank, 2.4 kW element, full heat-up in about 2.5 hours', note: 'An electric storage heater with a night-tariff timer and a magnesium anode.' },
  { code: 'WH-7G15', name: 'Hydra Gas 15', family: 'heater', year: 2021, size: 15, capacity: '15 litres a minute at a 25 °C rise', note: 'A tankless gas water heater (natural gas or LPG) with a fan-assisted flue, for indoor mounting.' },
  { code: 'WH-7G51', name: 'Hydra Gas 15 Outdoor', family: 'heater', year: 2022, size: 15, capacity: '15 litres a minute at a 25 °C rise', note: 'The Hydra Gas 15 for outdoor walls, with frost protection down to −20 °C and no flue.' },
  { code: 'WH-9E20', name: 'Hydra Heat Pump 200', family: 'heater', year: 2023, size: 200, capacity: '200-litre tank heated by a built-in heat pump (COP 3.4), 1.5 kW backup element', note: 'A heat pump water heater that takes its heat from the air of the room it stands in; needs at least 20 m³ of space.' },
  { code: 'WH-9E27', name: 'Hydra Heat Pump 270', family: 'heater', year: 2023, size: 270, capacity: '270-litre tank heated by a built-in heat pump (COP 3.6), a solar coil and a 2 kW backup element', note: 'The 270-litre heat pump water heater, with a second coil for solar thermal panels.' },
  // ClimaCore heat pumps and air conditioners
  { code: 'HP-4M08', name: 'ClimaCore Portable 8', family: 'heatpump', year: 2021, size: 2.3, note: 'A portable air conditioner on wheels with an exhaust hose through a window kit; also dehumidifies.' },
  { code: 'HP-4M80', name: 'ClimaCore Window 8', family: 'heatpump', year: 2022, size: 2.3, note: 'A window-mounted air conditioner with an inverter compressor and a saddle design that leaves the window usable.' },
  { code: 'HP-7A09', name: 'ClimaCore Hydrobox', family: 'heatpump', year: 2023, size: 9, note: 'The indoor module of the ClimaCore Air-to-Water 9: circulation pump, expansion vessel, 3 kW backup heater and controller.' },
  { code: 'HP-7A90', name: 'ClimaCore Air-to-Water 9', family: 'heatpump', year: 2023, size: 9, note: 'A monobloc air-to-water heat pump for radiators and underfloor heating, with the Hydrobox indoors.' },
  { code: 'HP-9K12', name: 'ClimaCore 12', family: 'heatpump', year: 2021, size: 3.5, note: 'A wall-mounted split air conditioner and heat pump with Wi-Fi; heats down to −15 °C outside.' },
  { code: 'HP-9K12M', name: 'ClimaCore 12 Multi', family: 'heatpump', year: 2022, size: 5.2, note: 'A multi-split outdoor unit for two or three ClimaCore indoor units; not sold for single rooms.' },
  { code: 'HP-9K21', name: 'ClimaCore 21', family: 'heatpump', year: 2022, size: 6, note: 'A larger wall-mounted split unit for open-plan rooms, heating down to −25 °C.' },
  // MistLine humidifiers
  { code: 'HM-2U03', name: 'MistLine Mini', family: 'humidifier', year: 2021, size: 0.3, note: 'A USB ultrasonic humidifier for a desk; shuts off when the cup runs dry.' },
  { code: 'HM-2U30', name: 'MistLine 3', family: 'humidifier', year: 2020, size: 3, note: 'An ultrasonic humidifier with a top-fill tank and an aroma tray.' },
  { code: 'HM-4E45', name: 'MistLine Evap 45', family: 'humidifier', year: 2022, size: 4.5, note: 'An evaporative humidifier with a wick filter: no white dust and it cannot over-humidify.' },
  { code: 'HM-4E54', name: 'MistLine Evap 45 Smart', family: 'humidifier', year: 2023, size: 4.5, note: 'The MistLine Evap 45 with Wi-Fi, a hygrometer and the Halvard Home app.' },
  { code: 'HM-6S60', name: 'MistLine Steam 6', family: 'humidifier', year: 2023, size: 6, note: 'A steam humidifier that boils the water, so nothing grows in the tank; for nurseries where hygiene matters most.' },
];

const BRANDS: Record<FamilyKey, string> = {
  purifier: 'AeroPure',
  dehumidifier: 'DryWell',
  thermostat: 'TempoSense',
  vacuum: 'Scoutbot',
  heater: 'Hydra',
  heatpump: 'ClimaCore',
  humidifier: 'MistLine',
};

// ---------------------------------------------------------------------------
// Spare parts and consumables

interface Part {
  readonly code: string;
  readonly name: string;
  /** Product codes it fits. */
  readonly fits: readonly string[];
  /** When to replace it, in words. */
  readonly interval: string;
  readonly price: string;
  readonly note: string;
}

const PARTS: readonly Part[] = [
  { code: 'FL-1100', name: 'AeroPure 120 filter', fits: ['KX-3A10', 'KX-3A12'], interval: 'every 6 months', price: '€14', note: 'A round HEPA filter with a thin carbon sleeve.' },
  { code: 'FL-2200', name: 'AeroPure 220 filter', fits: ['KX-5M20', 'KX-5M22'], interval: 'every 12 months', price: '€29', note: 'HEPA H13 with an activated carbon pre-layer.' },
  { code: 'FL-3102', name: 'AeroPure 310 HEPA filter', fits: ['KX-7Q13'], interval: 'every 12 months', price: '€39', note: 'HEPA H13 without carbon. It does not fit the AeroPure 340: the frame is 4 mm taller.' },
  { code: 'FL-3120', name: 'AeroPure 340 HEPA-carbon filter', fits: ['KX-7Q31', 'KX-7Q31E', 'KX-7Q33'], interval: 'every 12 months', price: '€45', note: 'HEPA H13 and 400 g of activated carbon, with an RFID tag the purifier reads to reset its filter counter by itself.' },
  { code: 'FL-3121', name: 'AeroPure 340 pet odour filter', fits: ['KX-7Q31', 'KX-7Q31E', 'KX-7Q33'], interval: 'every 6 months', price: '€49', note: 'HEPA H13 with 800 g of carbon treated against ammonia, for homes with cats and dogs.' },
  { code: 'FL-4000', name: 'AeroPure 400 filter', fits: ['KX-9T04'], interval: 'every 12 months', price: '€55', note: 'HEPA H13 and carbon in one cylinder. On sale until 2030.' },
  { code: 'FL-4800', name: 'AeroPure 480 twin filter set', fits: ['KX-9T40', 'KX-9T44'], interval: 'every 12 months', price: '€79', note: 'Two HEPA H13 filters with carbon, one per fan; always change both.' },
  { code: 'FL-0500', name: 'AeroPure Car filter', fits: ['KX-2B05'], interval: 'every 4 months', price: '€12', note: 'A small HEPA filter with carbon granules.' },
  { code: 'FL-2600', name: 'AeroPure Tower filter', fits: ['KX-6R18', 'KX-6R81'], interval: 'every 12 months', price: '€35', note: 'A 360° HEPA cylinder that slides out from the base.' },
  { code: 'UV-4401', name: 'AeroPure UV-C lamp', fits: ['KX-9T44'], interval: 'every 24 months', price: '€39', note: 'The UV-C lamp of the AeroPure 480 Pro; the purifier shows the lamp icon when it has dimmed.' },
  { code: 'DF-1600', name: 'DryWell washable air filter', fits: ['DH-2B16', 'DH-4C20', 'DH-4C25', 'DH-4C52'], interval: 'wash every 2 weeks, replace when torn', price: '€9', note: 'The mesh filter behind the rear grille.' },
  { code: 'HS-2000', name: 'DryWell drain hose, 2 m', fits: ['DH-4C20', 'DH-4C25', 'DH-4C52', 'DH-6D30', 'DH-6D35'], interval: 'as needed', price: '€8', note: 'A 12 mm inner diameter hose for continuous drainage; the DH-4C52 pump takes the 5 m version HS-5000.' },
  { code: 'DR-0610', name: 'DryWell desiccant rotor', fits: ['DH-2B61'], interval: 'about every 5 years', price: '€89', note: 'The zeolite wheel of the desiccant model; a weak rotor shows as falling extraction in cold rooms.' },
  { code: 'CK-0100', name: 'TempoSense C-wire adapter', fits: ['TS-1R50', 'TS-3W11', 'TS-3W12', 'TS-7L70'], interval: 'once', price: '€25', note: 'Powers the thermostat where the wall has no common (C) wire, by fitting a small module at the boiler or furnace.' },
  { code: 'BT-2200', name: 'Scoutbot 22 battery', fits: ['RV-8N22', 'RV-8N23'], interval: 'when runtime drops below half, usually after 3 years', price: '€39', note: 'Li-ion 14.4 V, 2,600 mAh.' },
  { code: 'BT-3200', name: 'Scoutbot 32/40 battery', fits: ['RV-8N32', 'RV-9P04', 'RV-9P40', 'RV-9P44', 'RV-9P48'], interval: 'when runtime drops below half, usually after 3 years', price: '€59', note: 'Li-ion 14.4 V, 5,200 mAh.' },
  { code: 'BR-8000', name: 'Scoutbot bristle main brush', fits: ['RV-8N22', 'RV-8N23', 'RV-8N32'], interval: 'every 6 to 12 months', price: '€15', note: 'A bristle and rubber combination roller.' },
  { code: 'BR-9000', name: 'Scoutbot rubber main brush', fits: ['RV-9P04', 'RV-9P40', 'RV-9P44', 'RV-9P48'], interval: 'every 6 to 12 months', price: '€19', note: 'An all-rubber roller that long hair does not wrap around.' },
  { code: 'SB-0300', name: 'Scoutbot side brushes, pair', fits: ['RV-8N22', 'RV-8N23', 'RV-8N32', 'RV-9P04', 'RV-9P40', 'RV-9P44', 'RV-9P48'], interval: 'every 3 to 6 months', price: '€9', note: 'Three-arm side brushes; they clip on without tools.' },
  { code: 'DB-9010', name: 'Scoutbot dock dust bags, 3-pack', fits: ['RV-9P04', 'RV-9P40', 'RV-9P44', 'RV-9P48'], interval: 'a bag holds about 60 days of dust', price: '€15', note: 'Sealing bags for the self-emptying dock; the flap closes when the bag is pulled out.' },
  { code: 'MP-9440', name: 'Scoutbot mop pads, 2-pack', fits: ['RV-8N23', 'RV-9P40', 'RV-9P44', 'RV-9P48'], interval: 'every 3 months', price: '€12', note: 'Microfibre pads, machine washable at 60 °C.' },
  { code: 'AN-4000', name: 'Hydra magnesium anode rod', fits: ['WH-6H40', 'WH-6H80'], interval: 'check every 2 years, replace when below 10 mm thick', price: '€22', note: 'The sacrificial anode that stops the tank from rusting; hard water wears it faster.' },
  { code: 'AN-9200', name: 'Hydra titanium anode', fits: ['WH-9E20', 'WH-9E27'], interval: 'does not wear out', price: '€65', note: 'A powered (impressed-current) anode: it needs no replacement, but it must stay connected to power.' },
  { code: 'WF-0800', name: 'Hydra gas heater inlet filter', fits: ['WH-7G15', 'WH-7G51'], interval: 'clean every year', price: '€6', note: 'The mesh strainer in the cold water inlet fitting.' },
  { code: 'SC-0101', name: 'Hydra Instant scale guard cartridge', fits: ['WH-6H04', 'WH-6H08'], interval: 'every 12 months in hard water areas', price: '€18', note: 'A polyphosphate cartridge fitted on the cold supply that keeps scale off the heating block.' },
  { code: 'AF-9120', name: 'ClimaCore indoor unit air filters', fits: ['HP-9K12', 'HP-9K21'], interval: 'wash monthly, replace every 3 years', price: '€16', note: 'Two washable mesh filters under the front panel.' },
  { code: 'HX-4080', name: 'ClimaCore portable window kit', fits: ['HP-4M08'], interval: 'once', price: '€29', note: 'An exhaust hose of 1.5 m and sliding window panels for sash and casement windows.' },
  { code: 'WK-3000', name: 'MistLine wick filter', fits: ['HM-4E45', 'HM-4E54'], interval: 'every 2 to 3 months', price: '€13', note: 'A paper-and-polymer wick; a hard, yellow wick no longer draws water.' },
  { code: 'DC-0300', name: 'MistLine demineralisation cartridge', fits: ['HM-2U30'], interval: 'every 3 months', price: '€11', note: 'Removes the minerals that ultrasonic humidifiers otherwise spray as white dust.' },
];

// ---------------------------------------------------------------------------
// Error codes: the same code means different things on different families.

interface ErrorCode {
  readonly family: FamilyKey;
  readonly code: string;
  readonly meaning: string;
  readonly steps: string;
}

const ERROR_CODES: readonly ErrorCode[] = [
  { family: 'purifier', code: 'E1', meaning: 'The fan motor does not reach its speed.', steps: 'Unplug the purifier for ten minutes and check that nothing blocks the air inlet at the bottom. If E1 comes back, the motor needs a repair under warranty: contact support with the serial number.' },
  { family: 'purifier', code: 'E2', meaning: 'The filter is missing or the filter cover is not closed.', steps: 'Open the cover, take the filter out and remove any plastic wrapping, put it back with the pull tab facing out and press the cover until it clicks.' },
  { family: 'purifier', code: 'E3', meaning: 'The air quality sensor reports no reading.', steps: 'The sensor window behind the small side flap is dusty. Clean it with a dry cotton bud and the vacuum cleaner brush, then restart.' },
  { family: 'purifier', code: 'F1', meaning: 'The filter has reached the end of its life.', steps: 'Replace the filter. Models with an RFID filter reset the counter by themselves; on others hold the filter button for five seconds.' },
  { family: 'purifier', code: 'E5', meaning: 'The Wi-Fi module does not respond.', steps: 'Hold the Wi-Fi button for ten seconds to reset the module, then add the purifier in the app again. Cleaning still works without Wi-Fi.' },
  { family: 'dehumidifier', code: 'E1', meaning: 'The humidity sensor is faulty or unplugged.', steps: 'The unit keeps running in continuous mode. Restart it; if E1 stays, book a repair.' },
  { family: 'dehumidifier', code: 'E2', meaning: 'The evaporator coil froze and defrosting failed.', steps: 'The room is too cold for a compressor dehumidifier (below 5 °C). Let the unit thaw switched off for an hour, and use a desiccant model in unheated rooms.' },
  { family: 'dehumidifier', code: 'E4', meaning: 'The water tank is full or not seated.', steps: 'Empty the tank and push it in until it clicks. If E4 shows with an empty tank, the float inside is stuck: shake it loose and rinse the tank.' },
  { family: 'dehumidifier', code: 'E5', meaning: 'The condensate pump cannot move water.', steps: 'The outlet hose is kinked, frozen or lifts higher than 5 metres. Straighten it, shorten the rise, and clean the pump filter under the tank.' },
  { family: 'dehumidifier', code: 'P1', meaning: 'Defrosting: not a fault.', steps: 'In cool rooms the unit stops extracting now and then to melt ice off its coil. P1 clears by itself after up to 15 minutes.' },
  { family: 'dehumidifier', code: 'E8', meaning: 'Refrigerant pressure is too low.', steps: 'The unit extracts little or no water and the coil stays warm. Do not open the unit: it contains flammable R290. Contact support for a repair.' },
  { family: 'thermostat', code: 'E1', meaning: 'The thermostat lost the signal of a room sensor.', steps: 'Replace the coin cell of the room sensor, bring it within 10 metres of the thermostat and pair it again in the app under Devices.' },
  { family: 'thermostat', code: 'E2', meaning: 'The batteries are low.', steps: 'Fit two new AA alkaline batteries within two weeks; the schedule is kept while you change them. Rechargeable cells give too low a voltage.' },
  { family: 'thermostat', code: 'E3', meaning: 'The thermostat gets no power, or too little, from the C-wire.', steps: 'Check that the C-wire is connected at both ends. Without a C-wire, fit the CK-0100 adapter at the boiler or furnace.' },
  { family: 'thermostat', code: 'E4', meaning: 'The heating system does not respond to the call for heat.', steps: 'The relay switched but the room did not warm up in 90 minutes. Check the boiler or furnace for its own fault light, its power and the wiring of W1; the thermostat itself is usually fine.' },
  { family: 'thermostat', code: 'E7', meaning: 'The thermostat cannot reach the Halvard cloud.', steps: 'Heating keeps following the schedule stored in the thermostat. Check the router, then reconnect Wi-Fi under Settings > Network.' },
  { family: 'thermostat', code: 'H1', meaning: 'Frost protection is active: not a fault.', steps: 'The thermostat is off or in holiday mode and the room fell below 5 °C, so it heats to keep pipes from freezing.' },
  { family: 'vacuum', code: 'E1', meaning: 'A drive wheel is stuck or lifted.', steps: 'Lift the robot, turn both wheels by hand to free hair or threads, and put it back on a flat floor. E1 also shows when the robot hangs on a threshold higher than 2 cm.' },
  { family: 'vacuum', code: 'E2', meaning: 'A side brush is tangled.', steps: 'Pull off the side brush, remove the hair around its shaft and clip it back on.' },
  { family: 'vacuum', code: 'E3', meaning: 'The main brush is jammed.', steps: 'Open the brush guard, take the roller out, cut away wrapped hair and clean both end caps.' },
  { family: 'vacuum', code: 'E4', meaning: 'The bumper is stuck pressed in.', steps: 'Tap the bumper all around to free it and wipe out dust behind it. Dark, low furniture can also hold it in.' },
  { family: 'vacuum', code: 'E5', meaning: 'The cliff sensors are dirty: the robot thinks it is at the top of a staircase.', steps: 'Wipe the four small windows underneath with a dry cloth. Very dark rugs can read as a drop: add them as no-go zones or turn cliff detection down in the app.' },
  { family: 'vacuum', code: 'E6', meaning: 'The lidar turret is blocked.', steps: 'Something presses on the round laser cover on top or stops it from turning. Free it and check the robot is not stuck under low furniture.' },
  { family: 'vacuum', code: 'E9', meaning: 'The dock could not empty the dust bin.', steps: 'The dust bag is full or missing, or the duct between the robot and the bag is blocked. Fit a new bag and clear the port under the robot.' },
  { family: 'heater', code: 'E1', meaning: 'Water flow is too low to switch the heating on.', steps: 'Instantaneous heaters need at least 2 litres a minute. Clean the tap aerator and the inlet filter, and open the isolating valve fully.' },
  { family: 'heater', code: 'E3', meaning: 'The safety cut-out tripped because the water overheated.', steps: 'Switch the power off, remove the cover and press the red reset button on the thermostat. If it trips again, the thermostat or element is faulty: call a technician.' },
  { family: 'heater', code: 'E4', meaning: 'The burner did not ignite.', steps: 'Check that the gas valve is open and that other gas appliances work. After three failed attempts the heater locks out: turn it off and on to try again. If E4 persists, have the igniter checked.' },
  { family: 'heater', code: 'E5', meaning: 'The flame went out while the heater was running.', steps: 'Strong wind on the outdoor model, low gas pressure or an almost empty LPG bottle. Check the supply; the heater restarts by itself.' },
  { family: 'heater', code: 'E6', meaning: 'The flue fan or the flue is faulty.', steps: 'Do not use the heater. The flue may be blocked by a nest or ice, or the fan failed. Call a registered gas engineer.' },
  { family: 'heater', code: 'E9', meaning: 'The tank is empty: the heat pump water heater detected a dry element.', steps: 'Fill the tank completely, open a hot tap until water flows without air, then switch on again.' },
  { family: 'heater', code: 'A7', meaning: 'The anode is due to be checked: a service reminder, not a fault.', steps: 'Storage heaters show A7 after two years of heating. Check the anode rod and reset the reminder by holding the eco button for five seconds.' },
  { family: 'heatpump', code: 'E1', meaning: 'The indoor and outdoor units cannot communicate.', steps: 'Switch the system off at the isolator for five minutes. If E1 returns, the interconnecting cable or a board is faulty: call your installer.' },
  { family: 'heatpump', code: 'E4', meaning: 'The outdoor unit is overloaded (high pressure protection).', steps: 'In cooling, the outdoor coil cannot shed heat: clear leaves and snow around it, keep 30 cm free behind it and hose the fins gently from the inside out.' },
  { family: 'heatpump', code: 'E6', meaning: 'The refrigerant charge is low.', steps: 'The unit blows lukewarm air and ice forms on the small pipe. A leak must be found and fixed by an F-gas certified installer.' },
  { family: 'heatpump', code: 'F3', meaning: 'The outdoor temperature sensor is faulty.', steps: 'The unit runs in a limited mode. Book a repair; the sensor is a cheap part.' },
  { family: 'heatpump', code: 'P4', meaning: 'Defrosting: not a fault.', steps: 'In cold, damp weather the outdoor unit melts its ice every 30 to 90 minutes; the indoor fan stops for up to ten minutes and steam rises from the outdoor unit.' },
  { family: 'heatpump', code: 'H5', meaning: 'The pressure of the heating circuit is too low.', steps: 'On the Hydrobox gauge, pressure should be 1 to 1.5 bar when cold. Top it up through the filling loop; if it drops again within weeks, there is a leak.' },
  { family: 'humidifier', code: 'E1', meaning: 'The tank is empty.', steps: 'Refill the tank. If E1 shows with a full tank, the float is stuck: rinse it and check it moves freely.' },
  { family: 'humidifier', code: 'E2', meaning: 'Descaling is due.', steps: 'The steam model counts its boiling hours. Descale the boiler with citric acid (see the descaling guide) and hold the power button for five seconds to reset.' },
  { family: 'humidifier', code: 'E4', meaning: 'The wick does not draw water.', steps: 'On evaporative models E4 means the wick is hard with minerals: replace it with a WK-3000 wick.' },
];

// ---------------------------------------------------------------------------
// Articles, written by hand: [id, title, body].

type Article = readonly [id: string, title: string, body: string];

const ACCOUNT_ARTICLES: readonly Article[] = [
  ['account-recovery', 'Account recovery: get back into your Halvard account',
    'If you cannot sign in, tap "Trouble signing in?" on the sign-in screen of the Halvard Home app or of halvard.example/account. Enter the email address of the account and we send a recovery link, valid for 30 minutes. Open it on any device and choose a new password; every other session is signed out. No email after ten minutes? Check the spam folder. If you no longer have access to that mailbox, contact support with an order number and the serial number of one of your products so we can confirm the account is yours.'],
  ['change-password', 'Change your password while signed in',
    'To change the password of an account you can still use, go to Settings > Security > Change password. Type the current password once and the new one twice: at least 10 characters, not one found in known data breaches. Your devices keep working; other phones and browsers are signed out. If you cannot sign in at all, use account recovery instead.'],
  ['account-locked', 'Account locked after failed sign-in attempts',
    'After five wrong passwords in a row, the account is locked for 15 minutes to stop guessing attacks, and we email you about it. Wait and try again, or use the recovery link in that email. Devices keep running on their schedules while the account is locked.'],
  ['two-step-verification', 'Turn on two-step verification',
    'Two-step verification asks for a six-digit code from an authenticator app (Google Authenticator, 1Password, Authy…) after your password. Go to Settings > Security > Two-step verification, scan the QR code and enter the first code. Save the ten backup codes shown at the end in a safe place: each works once.'],
  ['lost-authenticator', 'Lost the phone with your authenticator app',
    'Sign in with one of your backup codes instead of the six-digit code, then go to Settings > Security to set up the authenticator on your new phone. Without backup codes, support can remove two-step verification after an identity check that takes up to three business days.'],
  ['change-email', 'Change the email address of your account',
    'Go to Settings > Profile > Email, enter the new address and confirm it with the link we send there. Until you confirm, sign-in and receipts use the old address. Accounts created with Sign in with Apple keep the relay address Apple gave us; change it in your Apple ID settings.'],
  ['sign-in-with-apple', 'Sign in with Apple and the hidden email address',
    'If you chose "Hide my email" when signing up with Apple, we only know a relay address ending in privaterelay.appleid.com, and support cannot find your account by your real address. Give support the relay address, shown in your Apple ID settings under Sign in with Apple.'],
  ['delete-account', 'Delete your Halvard account',
    'Settings > Profile > Delete account removes the account, its household, schedules and device history after a 14-day grace period in which signing in again cancels the deletion. Devices are reset to offline mode and keep working with their buttons. Order records are kept for seven years because tax law requires it.'],
  ['export-data', 'Download a copy of your data',
    'Under the GDPR you can get everything we store about you. Go to Settings > Privacy > Export my data; within 48 hours we email a link to a ZIP file with your profile, device history, energy reports and support conversations in JSON and CSV. The link works for seven days.'],
  ['privacy-data-collected', 'What data Halvard devices collect',
    'Connected devices send their readings (temperature, humidity, particle levels), settings, run times and error codes every few minutes. Location is only used for geofencing, on the phone, and never stored with us. Scoutbot maps stay on the robot and in your app unless you turn on cloud backup. We do not sell data.'],
  ['marketing-emails', 'Stop marketing emails',
    'Every newsletter has an unsubscribe link at the bottom. You can also turn off offers and tips under Settings > Notifications > Email. Order confirmations, safety notices and filter reminders you asked for are not marketing and keep coming.'],
  ['household-sharing', 'Share your devices with the people you live with',
    'In the app, open Home > Members > Invite and enter their email address. Members can use and schedule every device; only owners can add or remove devices and members. A household has up to eight members; guests can get access that ends on a date you choose.'],
  ['remove-member', 'Remove someone from your household',
    'Owners open Home > Members, choose the person and tap Remove. Their access ends at once, also on devices they set up. Schedules they created stay. If you were removed by mistake, ask an owner to invite you again.'],
  ['transfer-ownership', 'Give a device to a new owner or sell it',
    'Before selling or giving away a device, remove it from your home in the app (device > Settings > Remove device) and then factory reset it. The new owner adds it to their own account; the warranty goes with the product and the original receipt.'],
  ['app-requirements', 'Halvard Home app: supported phones',
    'The app runs on iPhone and iPad with iOS 15 or later and on Android 9 or later with Google Play services. It needs Bluetooth for setup and location permission on Android to find devices nearby. There is no desktop app; halvard.example/account covers account and order settings.'],
  ['app-notifications', 'Choose which notifications the app sends',
    'Open Settings > Notifications to turn alerts on or off by type: filter reminders, error codes, tank full, cleaning finished, air quality warnings, offers. Quiet hours silence all but safety alerts at night.'],
  ['add-device', 'Add a device to the Halvard Home app',
    '1. Plug in the device and hold its Wi-Fi button for three seconds until the light blinks blue. 2. In the app tap + and choose the product, or scan the QR code on its label. 3. Pick your home Wi-Fi and enter its password. Setup takes about a minute. Keep the phone within a few metres of the device.'],
  ['wifi-24ghz', 'Wi-Fi setup fails: use a 2.4 GHz network',
    'Halvard devices connect to 2.4 GHz Wi-Fi only. Routers that use one name for 2.4 and 5 GHz (band steering) can make setup fail at 90 %. Turn band steering off for the setup, or create a separate 2.4 GHz guest network. WPA3-only networks are not supported; use WPA2/WPA3 mixed mode. Captive portals, as in hotels and student halls, do not work.'],
  ['new-router', 'New router or new Wi-Fi password: reconnect your devices',
    'Devices do not learn a new Wi-Fi name or password by themselves. For each device, hold the Wi-Fi button for three seconds and, in the app, open the device > Settings > Wi-Fi > Change network. Schedules, maps and history are kept. Tip: give the new router the old network name and password and everything reconnects by itself.'],
  ['device-offline', 'A device shows Offline in the app',
    'Offline means the device has not reached our servers for ten minutes. Check it has power, that the router works, and that the device is within reach of the Wi-Fi (a wall or two less helps). Restart the device by unplugging it for ten seconds. Devices keep working with their buttons and stored schedules while offline.'],
  ['wifi-drops', 'A device keeps dropping off Wi-Fi',
    'Frequent disconnects are nearly always signal strength: the device > Settings > Wi-Fi shows the signal in dBm; below −70 dBm, move the router, add a mesh node or a repeater. Routers that change channel automatically at night also disconnect devices for a moment. Giving the device a fixed IP address (DHCP reservation) helps with some internet boxes.'],
  ['voice-assistants', 'Control devices with Alexa or Google Assistant',
    'In the Alexa or Google Home app, add the Halvard skill or action and sign in with your Halvard account. Then say "Alexa, set the purifier to sleep mode" or "Hey Google, set the thermostat to 20 degrees". Device names in the Halvard app are the names the assistant uses.'],
  ['matter-setup', 'Use a device with Matter: Apple Home, Google Home, SmartThings',
    'Matter-certified models (AeroPure 480 Pro, TempoSense Touch and devices updated to firmware 4.0) can join Apple Home, Google Home or SmartThings directly. In the Halvard app open the device > Settings > Matter > Share with another app to get a pairing code, then add an accessory in the other app. The Halvard app keeps working alongside.'],
  ['firmware-updates', 'Firmware updates',
    'Connected devices update themselves between 2 and 5 a.m. when they are idle; the app tells you what changed. To update now, open the device > Settings > Firmware. Updates never erase your settings. Devices that stay offline miss updates until they reconnect.'],
  ['firmware-stuck', 'A firmware update fails or hangs',
    'If an update stops at 99 % or the device reports "update failed", leave it powered for 15 minutes: it returns to the previous version by itself. Then make sure the Wi-Fi signal is good and retry from the app. Never unplug a Scoutbot from its dock during an update.'],
  ['app-schedules', 'Create schedules in the app',
    'Open the device and tap Schedule > Add. Choose days, a start time and what the device should do (a mode, a fan speed, a temperature, a cleaning of some rooms). Schedules are stored on the device, so they run without internet. Household members see and edit the same schedules.'],
  ['energy-report', 'Read the monthly energy report',
    'Thermostats, heat pumps and water heaters send a report on the first of each month: hours of heating or cooling, estimated kWh, and a comparison with the month before and with similar homes. Estimates use the power rating, not a meter; for exact figures, enter your tariff and use a smart plug or your electricity meter.'],
];

const POLICY_ARTICLES: readonly Article[] = [
  ['returns-policy', 'Return policy: 30 days to change your mind',
    'You can send back anything bought from halvard.example within 30 days of delivery for a full refund, also after you used it, as long as it is complete, undamaged and cleaned. Return shipping is free within the EU and UK. Products bought from a retailer go back to that retailer under its own policy. Opened filters and other consumables are the exception: see the consumables page.'],
  ['return-label', 'Print a return label',
    'Go to halvard.example/account > Orders, choose the order and tap Return items. Pick the items and a reason, and download the prepaid label (or get a QR code to show at the drop-off point). Pack the product in its original box if you still have it, or in any sturdy box with padding.'],
  ['return-consumables', 'Returning filters, bags and other consumables',
    'For hygiene reasons, filters, dust bags, mop pads, wicks and cartridges can only be returned unopened, in their sealed wrapping, within 30 days. A wrong filter ordered by mistake can be exchanged if still sealed. Faulty consumables are covered by the warranty.'],
  ['refund-timing', 'When your refund arrives',
    'We refund as soon as the warehouse has checked the returned product, usually 2 to 4 business days after it arrives. Money goes back to the payment method you used: cards take 3 to 5 business days more, PayPal one day, Klarna instalments are cancelled. You get an email the moment we issue it.'],
  ['exchange', 'Exchange a product for another model',
    'There is no direct exchange: return the first product for a refund (see the return label guide) and order the one you want. To make sure you get it before the stock runs out, order the new one first; the refund for the first follows when it comes back.'],
  ['returning-a-gift', 'Returning a gift',
    'Whoever received a gift can return it without the buyer knowing: contact support with the order number from the gift receipt. The refund goes to a gift card in the recipient\'s name, not to the buyer\'s payment method.'],
  ['warranty-coverage', 'What the warranty covers',
    'The warranty covers faults in materials and manufacture: a motor that dies, a board that fails, a tank that leaks. It does not cover wear parts such as filters, brushes, mop pads and wicks, damage from drops, water or wrong voltage, or scale and corrosion from skipped maintenance. Batteries are covered for one year. Warranty periods by family: air purifiers and dehumidifiers 2 years, thermostats 3 years, water heater tanks 5 years.'],
  ['warranty-claim', 'Make a warranty claim',
    'Open halvard.example/support > Warranty claim, enter the serial number and the purchase date, describe the fault and add a photo or a short video. We usually answer within one business day with a fix to try, a replacement part sent to you, or a repair pickup. Keep your receipt: a product registered in the app needs none.'],
  ['repair-shipping', 'Send a product in for repair',
    'When a warranty claim is accepted, we email a prepaid shipping label for the repair centre, or book a courier for large items. Send only the appliance, without filters, tanks or accessories, and empty any water. Repairs take 7 to 10 business days door to door; if a repair is not possible we replace the product.'],
  ['out-of-warranty-repair', 'Repairs after the warranty has ended',
    'We still repair products out of warranty for a flat fee by family (for example €59 for air purifiers and robot vacuums, €89 for dehumidifiers), parts included, plus shipping. You get a quote before we start; if you decline, we send the product back for the shipping cost only.'],
  ['care-plus', 'Halvard Care+ extended protection',
    'Care+ adds three years to the warranty and covers accidental damage (one claim a year), with express replacement in 2 business days. It costs €3.99 a month per product or €39 once for three years, and can be added within 60 days of purchase. Care+ does not cover wear parts.'],
  ['care-plus-cancel', 'Cancel Halvard Care+',
    'Monthly Care+ can be cancelled any time under halvard.example/account > Subscriptions; cover ends at the end of the paid month. The three-year plan is refunded in full within 14 days of purchase, and pro rata after that minus any claims paid.'],
  ['product-registration', 'Register your product',
    'Registering a product adds it to your account and extends the fan motor warranty of air purifiers from 2 to 5 years. Devices set up in the Halvard Home app are registered automatically. For others, enter the serial number and purchase date at halvard.example/register. Registration also means we can reach you in case of a safety notice.'],
  ['serial-number', 'Where to find the serial number',
    'The serial number (SN, 14 characters starting with the year) is on the rating label: underneath air purifiers and humidifiers, on the back of dehumidifiers behind the tank, under the dust bin of Scoutbot robots, on the side of water heaters, behind the front panel of ClimaCore indoor units and on the back plate of thermostats. Connected devices also show it in the app under Settings > About.'],
  ['delivery-times', 'Delivery times and costs',
    'Orders placed on business days before 2 p.m. leave the warehouse the same day. Standard delivery takes 2 to 4 business days and is free over €49 (€4.95 below). Express next-day delivery costs €9.95. Heat pumps and water heaters travel by pallet with a delivery slot you book by phone.'],
  ['shipping-countries', 'Countries we deliver to',
    'We deliver to the EU member states, the United Kingdom, Norway and Switzerland. Orders to the UK, Norway and Switzerland pay import VAT on delivery, at the local rate. We do not deliver to PO boxes or to the Canary Islands. For other countries, look for a local Halvard retailer.'],
  ['track-order', 'Track your order',
    'The dispatch email has a tracking link, and halvard.example/account > Orders shows the status. Tracking starts a few hours after dispatch. If tracking has not moved for three business days, contact support and we open an investigation with the carrier.'],
  ['damaged-parcel', 'The parcel arrived damaged',
    'If the box is badly damaged, you can refuse the delivery and we send a new one. If you accepted it, report the damage within 48 hours with photos of the box, the product and the shipping label through Orders > Report a problem. We send a replacement without waiting for the damaged one to come back.'],
  ['missing-items', 'Something is missing from the box',
    'Check the box inserts and under the foam: remote controls, hoses and filters are often packed there, and filters of purifiers ship inside the appliance. If a part is really missing, report it within 14 days through Orders > Report a problem and we send it free.'],
  ['cancel-order', 'Cancel or change an order',
    'Orders can be cancelled or changed (address, items) in halvard.example/account > Orders until they are dispatched, usually within a few hours. After dispatch, refuse the delivery or use the 30-day return. Pallet deliveries can be rescheduled up to 24 hours before the slot.'],
  ['payment-methods', 'Payment methods',
    'We accept Visa, Mastercard, American Express, PayPal, Apple Pay, Google Pay, iDEAL, Bancontact and bank transfer (the order ships when the money arrives). Klarna lets you pay in three interest-free instalments on orders from €100. We never store full card numbers.'],
  ['payment-declined', 'Payment declined at checkout',
    'A declined card is usually the bank\'s 3-D Secure check: approve the payment in your banking app within five minutes. Other causes are a billing address that does not match the card, a card limit, or an ad blocker stopping the payment window. Nothing is charged for a declined attempt; a pending amount disappears within a few days.'],
  ['invoice', 'Get an invoice, with your company VAT number',
    'Every order has a PDF invoice under halvard.example/account > Orders > Invoice. To add a company name and VAT number, enter them at checkout or ask support within 30 days of the order; we then issue a corrected invoice. Reverse-charge VAT applies to businesses in other EU countries.'],
  ['price-match', 'Price match promise',
    'If you find a product you bought from us cheaper at an authorised retailer within 14 days of your order, we refund the difference. Send support a link or a photo of the offer. Marketplace sellers, second-hand offers and bundles are not included.'],
  ['discount-codes', 'A discount code does not work',
    'Codes are case sensitive and usually have an end date, a minimum order value or exclude products on sale, and only one code works per order. A code from a newsletter is tied to the email address it was sent to, so sign in with that account. Codes cannot be added after the order is placed.'],
  ['gift-cards', 'Gift cards',
    'Gift cards of €25 to €500 are sent by email and valid for three years. They can pay for all or part of an order, also together with a card. A balance is kept for the next order. Gift cards cannot be exchanged for cash or used to buy other gift cards.'],
  ['trade-in', 'Trade in your old appliance',
    'Hand in an old air purifier, dehumidifier or robot vacuum of any brand when you buy a new Halvard one and get €30 to €100 back depending on the product. Order the new product with a trade-in option; the courier picks up the old one when delivering. It must switch on, but it does not need to work well.'],
  ['recycling', 'Recycling old appliances and used filters',
    'Electrical appliances must not go in household waste: take them to a municipal collection point, or ask for a free pickup of your old appliance when a new one is delivered (EU WEEE rules). Used HEPA filters go in general waste; carbon filters too. Batteries go to a battery collection point.'],
  ['filter-subscription', 'Filter subscription: filters delivered when you need them',
    'Subscribe to the filters of your product and we send a new one just before the replacement date, at 15 % off and with free shipping. Connected devices time the delivery from the actual filter life measured by the appliance; for others we use the standard interval.'],
  ['filter-subscription-manage', 'Pause, skip or cancel a filter subscription',
    'Under halvard.example/account > Subscriptions you can skip the next delivery, change the delivery date, switch to another filter type or cancel, at any time and without cost. Changes must be made at least three days before the next dispatch.'],
  ['spare-parts-availability', 'How long spare parts are available',
    'We keep spare parts and consumables for at least ten years after a product leaves our range, and sell them at halvard.example/parts. Enter your model number to see only the parts that fit.'],
  ['professional-installation', 'Professional installation service',
    'Heat pumps, gas water heaters and hard-wired instantaneous heaters must be installed by a certified professional, or the warranty does not apply. Book a Halvard partner installer when you order: a technician visits first to check the site and gives a fixed quote. Thermostats and radiator valves can be fitted by you.'],
  ['business-accounts', 'Business accounts and bulk orders',
    'Companies, landlords and schools can open a business account for invoice payment at 30 days, volume prices from ten units, and one dashboard for all devices in several buildings. Apply at halvard.example/business; we answer within two business days.'],
  ['preorders', 'Pre-orders and back-in-stock alerts',
    'Products not yet in stock can be pre-ordered; we charge only when your order ships, and you can cancel until then. For a sold-out product, tap "Tell me when it is back" to get one email when it returns.'],
  ['contact-support', 'Contact support',
    'Chat with us in the app or at halvard.example/support, Monday to Friday 8:00 to 20:00 and Saturday 9:00 to 17:00 (CET). Phone support is open on weekdays from 9:00 to 17:00. Have the model number and the serial number ready. Email answers come within one business day.'],
  ['user-manuals', 'Download a user manual',
    'Every product page at halvard.example has the user manual, quick start guide and declaration of conformity as PDFs, in 14 languages. Enter the model number (for example KX-7Q31) in the search field of halvard.example/manuals. The app also opens the manual of each device under Settings > Help.'],
  ['safety-notice-tower-heat', 'Safety notice: AeroPure Tower 260 Heat power cord',
    'On some AeroPure Tower 260 Heat units (model KX-6R81) made between March and June 2024, the power cord can overheat where it enters the base when the heater runs at full power for hours. Check the serial number: if it starts with 2403 to 2406, stop using the heater function and request a free replacement cord kit at halvard.example/safety. The purifier and fan functions are safe to use.'],
];

const HOW_TO_ARTICLES: readonly Article[] = [
  ['purifier-replace-filter', 'Replace the filter of an AeroPure air purifier',
    '1. Switch the purifier off and unplug it. 2. Open the filter cover (the back panel on the 220 and 340 series, the base on tower models, both sides on the 480) and pull the old filter out by its tab. 3. Take the new filter out of its plastic bag and slide it in with the tab facing out. 4. Close the cover and plug in. Models with an RFID filter detect the new one by themselves; on the others, reset the filter indicator.'],
  ['purifier-reset-filter-indicator', 'Reset the filter indicator of an air purifier',
    'After fitting a new filter on a model without RFID, hold the filter button (the leaf icon) for five seconds until the filter light goes out; in the app, open the purifier > Filter > I changed the filter. The counter starts again from 100 %. Resetting it without changing the filter only silences the reminder.'],
  ['purifier-factory-reset', 'Factory reset an AeroPure air purifier',
    'A factory reset erases the Wi-Fi settings, schedules and the link to your account. With the purifier on, hold the power and speed buttons together for ten seconds until it beeps twice. Then add it in the app again. Use it before selling the purifier or when it cannot join a new network.'],
  ['purifier-prefilter', 'Clean the pre-filter of an air purifier',
    'The grey mesh around or in front of the main filter catches hair and large dust. Vacuum it every two weeks, or wash it under lukewarm water on the 340 Pet, and let it dry fully before putting it back. A clogged pre-filter makes the purifier louder and shortens the main filter\'s life.'],
  ['purifier-auto-mode', 'How automatic mode works on air purifiers',
    'In automatic mode the purifier reads its particle sensor every few seconds and sets the fan speed itself: low when the air is clean, up to boost after cooking or when windows are open to pollen. The coloured ring shows the air quality: blue good, green fair, orange poor, red very poor. Automatic mode needs a working sensor: the 220 without "Smart" has none.'],
  ['purifier-placement', 'Where to put an air purifier',
    'Put the purifier where you spend most time, with 30 cm free on each side where air goes in, and away from curtains. In a bedroom, 1 to 2 metres from the bed is enough. One purifier cleans one room: the room size on the product page assumes closed doors and a ceiling height of 2.5 m.'],
  ['purifier-sleep-mode', 'Sleep mode and display lights',
    'Sleep mode runs the fan at its quietest speed and turns all lights off. Press the moon button, or set it in the app or a schedule. To keep normal speeds but darken the display, hold the light button for three seconds; the child lock is the same button held for five seconds.'],
  ['dehumidifier-continuous-drain', 'Drain a dehumidifier continuously through a hose',
    'Models with a hose outlet (DryWell 20, 25 and 30 series and the 35 Basement) can drain without emptying the tank. Remove the rubber plug at the back, push a 12 mm hose on the outlet and lead it down to a floor drain or a sink: the hose must slope downwards all the way, without loops. The DryWell 25 Pump can send water up to 5 metres with its pump.'],
  ['dehumidifier-humidity-level', 'Which humidity level to set',
    'For living rooms and bedrooms set 50 %: below 40 % the air feels dry and wood can crack, above 60 % mould and dust mites thrive. In basements and storage rooms 50 to 55 % is enough. In continuous mode the unit runs without stopping, which is only needed to dry out a room after water damage.'],
  ['dehumidifier-laundry', 'Dry laundry indoors with a dehumidifier',
    'Put the dehumidifier in a small room with the laundry rack, close the door and the window, and choose laundry mode (or continuous mode with the fan on high). A load dries in about 4 to 6 hours, using less energy than a tumble dryer. Keep 50 cm between the rack and the unit and point the louvre at the clothes.'],
  ['dehumidifier-storage', 'Store a dehumidifier when you do not need it',
    'Empty the tank and let it dry open for a day, wash the air filter, wrap the cable and keep the unit upright in a dry place. After transport lying down, stand it upright for at least four hours before switching it on, so the compressor oil flows back.'],
  ['thermostat-install', 'Install a TempoSense thermostat',
    'Switch off power to the heating system at the fuse box. Take a photo of the old thermostat\'s wiring, remove it, and connect the wires to the TempoSense back plate by their letters (R, W1, G, Y1, C). Clip the thermostat on, switch the power back on and follow the setup on screen. Boilers with only two wires use the R and W1 terminals and need batteries or the C-wire adapter.'],
  ['thermostat-c-wire', 'Do I need a C-wire?',
    'The C-wire (common wire) gives the thermostat steady 24 V power. The TempoSense Basic and Wi-Fi run on batteries and do not need one. The Pro, Pro Heat Pump and Touch do. Look behind your current thermostat for a wire on the C terminal, or a spare wire tucked in the wall; if there is none, the CK-0100 adapter adds one without new cables.'],
  ['thermostat-schedule', 'Program a heating schedule on the thermostat',
    'On the thermostat, press Menu > Schedule, choose the days, and set up to six periods a day with a temperature each (for example 20 °C from 6:30, 17 °C from 8:30, 20 °C from 17:00 and 16 °C at night). The Wi-Fi models also take schedules from the app. Pressing + or − overrides the schedule until the next period.'],
  ['thermostat-geofencing', 'Geofencing: heating that follows you',
    'With geofencing the app uses your phone\'s location to lower the temperature when the last person leaves home and heat up again when someone is on the way back. Turn it on in the thermostat settings > Away; every household member must allow location access "always" on their phone.'],
  ['thermostat-holiday', 'Holiday mode on thermostats and water heaters',
    'Set a start and end date under Settings > Holiday: thermostats hold 12 °C (frost protection stays on below 5 °C) and water heaters keep the water at 15 °C, then both come back up in time for your return. It saves more than turning the devices off and on again by hand.'],
  ['thermostat-calibrate', 'Thermostat shows a different temperature from another thermometer',
    'A thermostat in sunlight, above a radiator or on an outside wall reads too high or too low. If it is off by the same amount all the time, open Settings > Temperature offset and correct it by up to ±3 °C. Better still, move it or pair a room sensor where you sit.'],
  ['thermostat-factory-reset', 'Factory reset a TempoSense thermostat',
    'Press Menu > Settings > Reset > Factory reset and confirm, or, if the screen does not respond, hold the menu button for 20 seconds. The thermostat forgets schedules, Wi-Fi and pairing. Heating stays off until you finish the setup again.'],
  ['trv-install', 'Fit a TempoSense radiator valve',
    'Unscrew the old thermostatic head (leave the valve body on the radiator: no water comes out), screw on the matching adapter (M30 × 1.5 fits most valves; Danfoss RA and RAV adapters are in the box) and then the TempoSense valve. Insert the batteries and pair it with the Zone Controller or the app. It calibrates its stroke on the first run, with a short buzzing.'],
  ['vacuum-maps', 'Map rooms and set no-go zones for a Scoutbot',
    'Lidar models (Scoutbot 32, 40, 44, 48) build a map on their first cleaning. In the app, open the map to split or merge rooms and name them, then draw no-go zones (rectangles the robot never enters) and virtual walls (lines it does not cross), for example around pet bowls or cables. Gyroscope models (Scoutbot 22) make no map; use magnetic strips instead.'],
  ['vacuum-multi-floor', 'Use one Scoutbot on several floors',
    'Scoutbot 32 and later keep up to four maps and recognise which floor they are on within a minute of starting. Carry the robot to the other floor and start a cleaning; it cleans and then waits where it started if there is no dock there. A second dock makes it charge on each floor.'],
  ['vacuum-dock-placement', 'Where to put a Scoutbot dock',
    'Put the dock against a wall on a hard, level floor, with 0.5 metres free on each side and 1.5 metres in front, within reach of the Wi-Fi and out of direct sunlight. Do not put it near stairs or under low furniture. Once the map exists, moving the dock means the robot must relocate it first.'],
  ['vacuum-maintenance', 'Keep a Scoutbot robot vacuum in shape',
    'Weekly: empty the bin and tap the filter clean, pull hair off the main brush and side brush. Monthly: wipe the cliff sensors, the charging contacts and the lidar cover with a dry cloth, and wash the bin (let it dry). Replace the filter every 3 months, the side brushes every 3 to 6 months and the main brush every 6 to 12.'],
  ['vacuum-schedule', 'Schedule a Scoutbot cleaning',
    'Open the robot in the app > Schedule > Add, choose days and a time, then the rooms, suction level and number of passes. The robot starts even when the phone is off, and the do-not-disturb period (22:00 to 8:00 by default) stops it from running at night.'],
  ['vacuum-mopping', 'Mopping with a Scoutbot',
    'Fill the water tank, attach a clean mop pad and choose the water flow in the app. Mopping models skip carpets mapped as carpet; models that cannot lift the mop (22 Mop, 40) avoid carpets entirely while the pad is on. Use plain water or the Halvard floor cleaner: other detergents foam and clog the pump.'],
  ['vacuum-factory-reset', 'Factory reset a Scoutbot',
    'Hold the home and power buttons together for ten seconds until the robot announces the reset. Maps, schedules and Wi-Fi are erased; firmware stays. Press the reset hole next to the Wi-Fi light instead if only the network settings should be cleared.'],
  ['heater-descale-instant', 'Descale a Hydra instantaneous water heater',
    'In hard-water areas the heating block scales up and the heater delivers less hot water. Once a year: switch it off at the fuse, close the cold supply, disconnect the outlet and pump a descaling solution (citric acid, 1:10) through the block for 30 minutes, then flush with clean water. The SC-0101 cartridge slows scaling down.'],
  ['heater-anode-check', 'Check and replace the anode rod of a storage water heater',
    'Switch off the power, close the cold supply, open a hot tap and drain a few litres. Unscrew the anode under the top cover with a 27 mm socket. If it is thinner than 10 mm or the core wire shows, fit a new AN-4000 rod with PTFE tape on the thread. Heat pump models have a powered titanium anode that does not need this.'],
  ['heater-temperature-setting', 'Which temperature to set on a water heater',
    'Keep stored hot water at 60 °C at least once a day to kill legionella bacteria; eco mode does this with a daily heat-up to 60 °C and otherwise holds 50 °C. Instantaneous heaters store no water, so set them to what you use, 38 to 45 °C for a shower. Fit a thermostatic mixing valve where children could scald themselves.'],
  ['heater-drain', 'Drain a storage water heater',
    'Switch off the power and let the water cool for a few hours. Close the cold water inlet, open a hot tap nearby, connect a hose to the drain valve at the bottom and open it. An 80-litre tank empties in about 15 minutes. Always refill completely, with a hot tap open until water flows without air, before switching the power on again.'],
  ['heatpump-filter-clean', 'Clean the air filters of a ClimaCore indoor unit',
    'Every month in the heating and cooling season: switch the unit off, lift the front panel until it clicks, slide the two mesh filters down and out, vacuum them or rinse them in lukewarm water, and let them dry in the shade. The FL light or a reminder in the app comes on after 250 hours of running; hold the sleep button for three seconds to clear it.'],
  ['heatpump-modes', 'Heat, cool, dry and fan modes of ClimaCore units',
    'Cool and heat hold the temperature you set; auto chooses between them. Dry mode runs the compressor slowly to take moisture out of the air without cooling much, useful on humid spring days. Fan only moves air. For the lowest bills, set heating to 20 to 21 °C and cooling no more than 7 °C below the outside temperature.'],
  ['heatpump-yearly-service', 'Yearly service of a heat pump',
    'The extended warranty of ClimaCore heat pumps requires a service every year by an approved installer: checking the refrigerant pressures and electrical connections, cleaning the outdoor coil and the condensate drain, and for air-to-water models the water pressure, filter and expansion vessel. Book it at halvard.example/service; the installer logs the visit so your warranty stays valid.'],
  ['heatpump-cold-weather', 'Running a heat pump in very cold weather',
    'ClimaCore units keep heating down to −15 °C (ClimaCore 12) or −25 °C (ClimaCore 21), with less capacity as it gets colder. Keep snow away from the outdoor unit and its drain, and do not turn the temperature down at night by more than 2 °C: reheating a cold house in the morning takes more energy than keeping it warm.'],
  ['portable-ac-window-kit', 'Fit the window kit of a portable air conditioner',
    'A portable air conditioner must blow its hot air outside through the exhaust hose. Slide the window panels into the open window (sash or casement), trim the last panel to size, and connect the hose without stretching it beyond 1.5 m. Keep the hose as short and straight as possible: every bend costs cooling.'],
  ['humidifier-descale-steam', 'Descale a MistLine steam humidifier',
    'When E2 shows or the boiling gets louder, unplug the humidifier and let it cool, fill the boiler with one litre of water and 25 g of citric acid, leave it two hours, then rinse three times. Hold the power button for five seconds to reset the descaling counter.'],
  ['humidifier-weekly-cleaning', 'Clean an ultrasonic or evaporative humidifier every week',
    'Empty the tank every day and refill with fresh water. Once a week, wash the tank and base with a soft brush and a spoon of white vinegar in warm water, wipe the ultrasonic disc gently, and rinse well. Standing water grows bacteria that the mist would spread into the room.'],
];

const TROUBLESHOOTING_ARTICLES: readonly Article[] = [
  ['purifier-bad-smell', 'The air purifier gives off an unpleasant smell',
    'A musty or sour odour coming out of a purifier means the carbon layer is saturated and releases what it caught, often after months in a kitchen or a home with smokers. Replace the filter even if the indicator is not yet red. A "new" smell in the first days is the carbon itself and fades.'],
  ['purifier-noisy', 'The air purifier is loud or rattles',
    'On boost every purifier is loud; in automatic mode it speeds up when the sensor sees particles. A rattle or a whistle usually means the filter is not seated or its plastic wrapping is still on. A grinding noise that changes with the fan speed points to the motor bearing: make a warranty claim.'],
  ['purifier-ring-stays-red', 'The air quality ring stays red',
    'If the ring stays red for hours in a room that seems clean, the particle sensor is probably dusty: clean its window (behind the small side flap) with a dry cotton bud. Candles, incense, toasters and frying do raise particle levels for real, for an hour or so.'],
  ['purifier-no-power', 'The air purifier does not switch on',
    'Check the socket with another appliance and that the filter cover is closed: purifiers do not start with the cover open. Desk models need a USB-C charger of at least 10 W. If the lights come on but the fan does not turn, see error E1.'],
  ['dehumidifier-no-water', 'The dehumidifier runs but collects no water',
    'First check the room: below 40 % humidity, or below about 10 °C for compressor models, there is little water to collect. Then check the set level is below the room\'s humidity, the air filter is clean and, with a hose fitted, the tank plug is back in place. A unit that blows cold instead of warm air and collects nothing has lost refrigerant (E8).'],
  ['dehumidifier-water-on-floor', 'Water on the floor under the dehumidifier',
    'Check that the tank sits straight and is not cracked, and that the rubber plug of the hose outlet is in when no hose is connected. With a hose, make sure it slopes down all the way and sits firmly on the outlet. A unit moved lying down can leak from the drip tray for a while.'],
  ['dehumidifier-warm-air', 'The dehumidifier blows out warm air',
    'That is normal: a compressor dehumidifier cools the air to condense the water and then warms it again on the hot coil, and the motor heat adds a few degrees. The room can get 1 to 3 °C warmer. It is not an air conditioner.'],
  ['dehumidifier-ice', 'Ice forms on the dehumidifier coil',
    'In rooms below 15 °C some frost on the coil is normal and the unit defrosts it (P1). Thick ice that stays means the room is too cold for the model or the air filter is blocked. Clean the filter, and for garages and cellars use a desiccant model or the DryWell 35 Basement.'],
  ['thermostat-blank-screen', 'The thermostat screen is blank',
    'On battery models, replace both AA batteries. On C-wire models, check the breaker and fuse of the heating system, which also feeds the thermostat: a tripped breaker or a blown 3 A fuse on the boiler board leaves the screen dark. If the screen lights only when touched, turn off the screen saver under Settings > Display.'],
  ['thermostat-short-cycling', 'The heating switches on and off every few minutes',
    'Short cycling wears out boilers. Under Settings > Heating, raise the cycle rate setting (cycles per hour) to suit your system: 6 for gas boilers, 3 for oil, 1 for heat pumps and underfloor heating. A thermostat in a draft or near a radiator also cycles too often.'],
  ['thermostat-heating-wont-stop', 'The heating keeps running after the set temperature is reached',
    'If the room is warmer than the set point and the boiler still runs, another control is calling for heat, such as a timer on the boiler or a second thermostat, or the W1 wire touches R. With the thermostat taken off the wall, the heating should stop; if it does not, the wiring or the boiler relay is at fault.'],
  ['vacuum-not-charging', 'The Scoutbot does not charge on its dock',
    'Wipe the two metal contacts under the robot and on the dock with a dry cloth, check that the dock light is on, and that the dock stands on a hard floor against a wall. A robot that has not been used for months may have a deeply discharged battery: leave it on the dock for three hours. If it still does not charge, the battery may need replacing.'],
  ['vacuum-cannot-find-dock', 'The robot cannot find its way home',
    'The robot needs a clear view of the dock\'s front for the last metre: move chairs, cables and rugs away and make sure the dock has not been shifted. Mirrors and full-height windows can confuse lidar. If the map changed a lot, run a new mapping cleaning.'],
  ['vacuum-stops-early', 'The robot skips areas or ends its cleaning early',
    'Check no-go zones and virtual walls in the app, and clean the cliff sensors: dirty sensors or very dark rugs make the robot avoid those areas. A robot that returns to charge halfway and then resumes is doing "recharge and resume" on large homes; turn it off in the settings if you prefer.'],
  ['vacuum-dock-noise', 'The dock is very loud when it empties the robot',
    'The self-emptying dock runs a powerful fan for about 10 seconds after each cleaning, at up to 80 dB: that is normal. Set the emptying to run only after every second cleaning, or turn auto-empty off during do-not-disturb hours in the app.'],
  ['vacuum-stuck-furniture', 'The robot gets stuck under furniture',
    'Robots wedge themselves under sofas and beds with a gap close to their own height. In the app, add a no-go zone under that furniture, or raise it with furniture risers so there is at least 10 cm of clearance.'],
  ['heater-no-hot-water', 'No hot water from a storage water heater',
    'Check the fuse and the switch of the heater, the timer or night-tariff setting, and that eco mode is not waiting for its daily cycle. If the heater light is off and the fuse is fine, the safety cut-out may have tripped (E3 on models with a display). After a power cut, full heat-up of an 80-litre tank takes about 2.5 hours.'],
  ['heater-lukewarm-winter', 'The instantaneous heater gives only lukewarm water in winter',
    'An instantaneous heater raises the water by a fixed number of degrees at a given flow. In winter the cold supply can be 5 °C instead of 15 °C, so the water comes out 10 °C cooler. Open the tap less: a lower flow gives hotter water. The Instant 4 is sized for a hand basin, not a shower.'],
  ['heater-noises', 'Rumbling, crackling or knocking from the water heater',
    'Crackling or rumbling while heating is limescale on the element or the bottom of the tank, where water trapped under the scale boils. Drain and flush the tank, and descale the element. Knocking when a tap closes is water hammer in the pipes, not the heater: a hammer arrestor fixes it.'],
  ['heater-rotten-egg-smell', 'Hot water smells of rotten eggs',
    'A sulphur smell in the hot water only comes from bacteria reacting with the magnesium anode in some water supplies. Heat the tank to 70 °C once to kill them, and if it comes back, replace the magnesium anode with an aluminium-zinc one (ask support for part AN-4010). The water is not harmful.'],
  ['heater-relief-valve-drip', 'Water drips from the safety valve of the water heater',
    'The safety group on the cold inlet lets out a little water while the tank heats, because water expands: a few drops a minute into the drain is normal. A steady stream, or dripping when the heater is not heating, means the mains pressure is too high (fit a pressure reducer at 3 bar) or the valve is worn.'],
  ['heatpump-indoor-drip', 'Water drips from the indoor unit of the air conditioner',
    'Cooling makes condensate that runs out through a drain hose. Drips from the indoor unit mean the hose is blocked by dirt or algae, kinked, or slopes upwards. Clear it by pouring a cup of water into the tray behind the filters or blowing through the hose; the yearly service cleans it too.'],
  ['heatpump-cold-air-heating', 'The heat pump blows cold air in heating mode',
    'For the first few minutes after starting, the indoor fan waits until the coil is warm, and during a defrost (P4) it stops. If it blows cool air for longer, check that the mode really is heat and not auto with a low setting, that the filters are clean and that the outdoor unit is not buried in snow. Lukewarm air with ice on the small pipe suggests low refrigerant (E6).'],
  ['heatpump-musty-smell', 'The air conditioner smells musty when it starts',
    'A damp, mouldy smell comes from the coil and the drain tray, where condensate and dust grow mould. Clean the filters, and after cooling let the unit run in fan mode for 20 minutes to dry (the self-clean option does this automatically). A yearly service includes cleaning the coil with disinfectant.'],
  ['heatpump-outdoor-steam', 'Steam or a cloud comes from the outdoor unit in winter',
    'That is the defrost cycle: the outdoor unit melts the frost on its coil, and the meltwater evaporates as a cloud. The indoor unit shows P4 and its fan pauses for a few minutes. Make sure the meltwater can drain away and does not freeze under the unit.'],
  ['humidifier-no-mist', 'The humidifier makes no mist',
    'Check that the tank is seated and has water, and that the set humidity is above the current one: the humidifier stops when it is reached. On ultrasonic models, scale on the disc stops the mist; clean it with vinegar. Evaporative models give no visible mist at all: that is normal.'],
  ['humidifier-wet-surfaces', 'Wet patches and condensation around the humidifier',
    'Wet floors and foggy windows mean the room is too humid or the mist does not spread. Set 40 to 50 %, put the humidifier at least 1 metre above the floor on a table and away from walls and furniture, and point the nozzle into the room.'],
  ['humidifier-white-dust', 'White dust on furniture around an ultrasonic humidifier',
    'Ultrasonic humidifiers spray the minerals of tap water as a fine white dust. Use distilled or demineralised water, or fit the DC-0300 cartridge. Evaporative and steam humidifiers do not make white dust.'],
  ['after-power-cut', 'After a power cut',
    'Every Halvard appliance restarts in the mode it was in before the cut. Connected devices reconnect to Wi-Fi within a few minutes once the router is back; schedules and clocks are synchronised from the internet. Battery thermostats are not affected. Water heaters need time to reheat.'],
  ['breaker-trips', 'The appliance trips the fuse or circuit breaker',
    'If the breaker trips the moment you plug in, or a residual-current device (RCD) trips, stop using the appliance and contact support: this points to a fault in the appliance or moisture inside it. If it trips only with several appliances on, the circuit is overloaded: heaters and dehumidifiers draw a lot, so spread them over circuits.'],
];

const GUIDE_ARTICLES: readonly Article[] = [
  ['guide-purifier-room-size', 'Which air purifier for which room size',
    'Pick a purifier rated for at least your floor area: AeroPure 120 for a desk or up to 14 m², AeroPure 220 up to 25 m², Tower 260 up to 30 m², AeroPure 310 and 340 up to 40 to 45 m², AeroPure 480 up to 70 m². For allergies, choose one size up so that it can run on a quiet speed. Open-plan spaces count as one room.'],
  ['guide-dehumidifier-types', 'Compressor or desiccant dehumidifier?',
    'Compressor dehumidifiers are the most efficient in heated rooms above 15 °C and lose capacity as it gets colder. Desiccant models absorb moisture with a zeolite wheel and work the same down to 1 °C, but use about twice the power and warm the room. Heated home: compressor. Garage, boat, holiday home in winter: desiccant.'],
  ['guide-allergies', 'Air purifiers for hay fever, dust mite and pet allergies',
    'A HEPA H13 filter captures 99.95 % of particles down to 0.3 µm, including pollen, dust mite droppings and pet dander. Run the purifier in the bedroom continuously during the pollen season, keep windows closed at peak hours and vacuum with a HEPA vacuum. A purifier helps symptoms but does not replace the treatment your doctor prescribes.'],
  ['guide-mould-condensation', 'Prevent mould and condensation at home',
    'Mould grows where humidity stays above 65 % and surfaces are cold. Air the home for ten minutes twice a day, use extractor fans when cooking and showering, dry laundry outdoors or with a dehumidifier, and keep furniture 5 cm away from outside walls. In a damp room, a dehumidifier set to 50 % stops new growth; existing mould must be cleaned off.'],
  ['guide-heat-pump-grants', 'Grants and subsidies for heat pumps',
    'Many countries subsidise heat pumps that replace gas or oil heating, for example the Boiler Upgrade Scheme in the UK, BEG in Germany, ISDE in the Netherlands and MaPrimeRénov\' in France. Conditions change often and usually require a certified installer, so ask your installer before you sign. We provide the product data sheets and certificates your application needs.'],
  ['guide-energy-saving', 'Lower your heating bill',
    'Every degree less on the thermostat saves about 6 % of heating energy. Use a schedule that lowers the temperature at night and while you are out, turn down radiators in unused rooms with smart valves, bleed radiators in autumn and close curtains at dusk. Heat pumps run best with small, steady changes.'],
  ['guide-robot-or-stick', 'Robot vacuum or cordless stick vacuum?',
    'A robot vacuum keeps floors clean every day without effort but misses stairs, corners and furniture tops. A cordless stick cleans anything quickly but only when you do it. Many homes use a robot for the daily pass and a stick for stairs and spills. Long-haired pets: choose a rubber brush.'],
  ['guide-hard-water', 'Hard water and your appliances',
    'Hard water leaves limescale in water heaters, steam humidifiers and on the discs of ultrasonic humidifiers, and it wears the anode of storage tanks faster. Find your water hardness on your water company\'s website. Above 14 °dH, descale twice as often, use the scale guard cartridge on instantaneous heaters and check the anode every year.'],
  ['guide-wildfire-smoke', 'Protect your home from wildfire smoke',
    'When smoke reaches your area, close windows and doors, turn off ventilation that brings in outside air, and run purifiers on boost in the rooms you use, then automatic mode. Smoke loads filters fast: check the filter after a smoky week. HEPA filters remove the fine particles; the carbon layer removes some of the smell.'],
  ['guide-nursery', 'The air in a baby\'s room',
    'Keep a nursery at 16 to 20 °C and 40 to 60 % humidity. A steam humidifier is the most hygienic choice because it boils the water; place any humidifier out of the child\'s reach. A purifier on sleep mode is silent enough for a nursery. Never use aroma oils near babies.'],
  ['guide-pets', 'Living with pets: hair, dander and odours',
    'For pet hair, a robot vacuum with a rubber main brush running daily keeps floors clear, and a purifier with a washable pre-filter catches floating hair before it reaches the main filter. Against litter box and dog smells, a thick carbon filter such as the pet odour filter works best.'],
  ['guide-heat-pump-sizing', 'How big a heat pump do I need?',
    'A rough guide for a single room: 100 W per m² in an older home, 60 W per m² in a well-insulated one, so a 35 m² living room needs 2.1 to 3.5 kW. For whole-house air-to-water systems the installer must calculate the heat loss room by room; an oversized unit cycles on and off and costs more.'],
  ['guide-decibels', 'What the noise figures mean',
    'Noise is given in decibels (dB): 20 dB is a whisper, 40 dB a quiet library, 60 dB a conversation. Every 10 dB more sounds about twice as loud. Sleep modes around 25 dB do not disturb most people; for bedrooms look at the lowest figure, for living rooms at the normal speed.'],
  ['guide-water-heater-types', 'Storage, instantaneous or heat pump water heater?',
    'Instantaneous heaters heat only what you use and need no space for a tank, but a strong electricity supply. Storage heaters store heated water and work on a normal circuit, and can use a cheap night tariff. Heat pump water heaters use a third of the electricity of a storage heater but cost more and need a room of at least 20 m³.'],
  ['guide-ozone', 'Do Halvard air purifiers produce ozone?',
    'No. Halvard purifiers have no ionizer, and the UV-C lamp of the AeroPure 480 Pro is enclosed in ozone-free quartz glass. All purifiers are tested to UL 2998 (zero ozone emission).'],
  ['guide-vocs', 'Chemical smells, VOCs and formaldehyde',
    'Volatile organic compounds (VOCs) such as formaldehyde come from new furniture, paints and cleaning products. Only activated carbon removes them, not HEPA. Ventilate well in the first weeks after renovating. The AeroPure 480 measures formaldehyde and shows it in the app.'],
  ['about-halvard', 'About Halvard',
    'Halvard was founded in 2012 in Gothenburg and designs home climate appliances: air purifiers, dehumidifiers, humidifiers, thermostats, robot vacuums, water heaters and heat pumps. Products are designed in Sweden and made by partner factories in Poland and China. Our service centres are in Gothenburg, Rotterdam and Leeds.'],
];

// ---------------------------------------------------------------------------
// Pages generated from the tables

const PLURALS: Record<FamilyKey, string> = {
  purifier: 'air purifiers',
  dehumidifier: 'dehumidifiers',
  thermostat: 'thermostats',
  vacuum: 'vacuum cleaners',
  heater: 'water heaters',
  heatpump: 'heat pumps and air conditioners',
  humidifier: 'humidifiers',
};

const productId = (code: string) => `product-${slug(code)}`;
const partId = (code: string) => `part-${slug(code)}`;
const errorId = (family: FamilyKey, code: string) => `error-${family}-${slug(code)}`;

function productPage(product: Product): RecallDocument {
  const family = FAMILIES[product.family];
  const random = seededRandom(seedOf(product.code));
  const parts = PARTS.filter((part) => part.fits.includes(product.code)).map((part) => `${part.code} ${part.name} (${part.interval})`);
  const lines = [
    `The ${product.name}, model ${product.code}, is ${/^[AEIOU]/.test(BRANDS[product.family]) ? 'an' : 'a'} ${BRANDS[product.family]} ${family.category} released in ${product.year}. ${product.note}`,
    '',
    ...family.specs(product.size, random, product.capacity).map((line) => `- ${line}`),
    `- Spare parts: ${parts.length > 0 ? parts.join('; ') : 'none sold separately'}`,
    `- Warranty: ${family.warranty}`,
  ];
  return { id: productId(product.code), title: `${product.name} (${product.code})`, body: lines.join('\n') };
}

function partPage(part: Part): RecallDocument {
  const fits = part.fits.map((code) => {
    const product = PRODUCTS.find((candidate) => candidate.code === code);
    return product ? `${product.name} (${code})` : code;
  });
  const body = [
    `Spare part ${part.code}: ${part.name}. ${part.note}`,
    '',
    `- Fits: ${fits.join(', ')}`,
    `- Replace: ${part.interval}`,
    `- Price: ${part.price}, at halvard.example/parts and in the app`,
  ].join('\n');
  return { id: partId(part.code), title: `${part.name} (${part.code})`, body };
}

function errorPage(error: ErrorCode): RecallDocument {
  const models = PRODUCTS.filter((product) => product.family === error.family).map((product) => product.code);
  const body = `${error.meaning} ${error.steps}\n\nApplies to: ${models.join(', ')}.`;
  return { id: errorId(error.family, error.code), title: `Error ${error.code} on ${BRANDS[error.family]} ${PLURALS[error.family]}`, body };
}

function articles(list: readonly Article[]): RecallDocument[] {
  return list.map(([id, title, body]) => ({ id, title, body }));
}

function allDocuments(): RecallDocument[] {
  return [
    ...PRODUCTS.map(productPage),
    ...PARTS.map(partPage),
    ...ERROR_CODES.map(errorPage),
    ...articles(ACCOUNT_ARTICLES),
    ...articles(POLICY_ARTICLES),
    ...articles(HOW_TO_ARTICLES),
    ...articles(TROUBLESHOOTING_ARTICLES),
    ...articles(GUIDE_ARTICLES),
  ];
}

// ---------------------------------------------------------------------------
// Queries, as customers type them, with every document that answers them.

type QueryRow = readonly [text: string, relevant: readonly string[]];

const IDENTIFIER_QUERIES: readonly QueryRow[] = [
  ['KX-7Q31 dimensions', ['product-kx-7q31']],
  ['KX-7Q13 replacement filter', ['part-fl-3102', 'product-kx-7q13']],
  ['weight of the KX-9T40', ['product-kx-9t40']],
  ['does FL-3120 fit the KX-7Q33', ['part-fl-3120']],
  ['FL-3102 compatible models', ['part-fl-3102']],
  ['DH-2B61 operating temperature', ['product-dh-2b61']],
  ['DH-4C52 pump height', ['product-dh-4c52']],
  ['E4 on my Hydra water heater', ['error-heater-e4']],
  ['Scoutbot error E5', ['error-vacuum-e5']],
  ['dehumidifier shows P1', ['error-dehumidifier-p1']],
  ['ClimaCore H5 code', ['error-heatpump-h5']],
  ['TempoSense E3', ['error-thermostat-e3']],
  ['TS-3W11 C-wire', ['product-ts-3w11', 'thermostat-c-wire']],
  ['CK-0100 price', ['part-ck-0100']],
  ['RV-9P44 battery', ['part-bt-3200', 'product-rv-9p44']],
  ['BT-2200 battery fits which robots', ['part-bt-2200']],
  ['WH-9E27 tank size', ['product-wh-9e27']],
  ['WH-6H04 flow rate', ['product-wh-6h04']],
  ['HP-9K12M', ['product-hp-9k12m']],
  ['HP-4M80 noise level', ['product-hp-4m80']],
  ['KX-6R81 recall', ['safety-notice-tower-heat']],
  ['AN-4000 anode replacement', ['part-an-4000', 'heater-anode-check']],
  ['KX-7Q31E plug type', ['product-kx-7q31e']],
  ['HM-4E45 wick', ['part-wk-3000', 'product-hm-4e45']],
  ['KX-9T04 discontinued, can I still get filters', ['product-kx-9t04', 'part-fl-4000']],
  ['RV-8N32 main brush', ['part-br-8000']],
  ['error F1 air purifier', ['error-purifier-f1']],
  ['A7 on water heater display', ['error-heater-a7']],
  ['MistLine E2', ['error-humidifier-e2', 'humidifier-descale-steam']],
  ['TS-5Z04 thread size', ['product-ts-5z04', 'trv-install']],
  ['DB-9010 dust bags', ['part-db-9010']],
  ['UV-4401 lamp life', ['part-uv-4401']],
  ['heat pump E6', ['error-heatpump-e6']],
  ['Scoutbot E9 dock', ['error-vacuum-e9']],
  ['KX-3A12 timer', ['product-kx-3a12']],
];

const KEYWORD_QUERIES: readonly QueryRow[] = [
  ['return policy 30 days', ['returns-policy']],
  ['print return label', ['return-label']],
  ['two-step verification authenticator app', ['two-step-verification']],
  ['change email address of account', ['change-email']],
  ['delete my account', ['delete-account']],
  ['export my data GDPR', ['export-data']],
  ['delivery times and shipping costs', ['delivery-times']],
  ['track my order', ['track-order']],
  ['price match', ['price-match']],
  ['discount code not working', ['discount-codes']],
  ['gift card validity', ['gift-cards']],
  ['pay with Klarna', ['payment-methods']],
  ['invoice with VAT number', ['invoice']],
  ['Care+ accidental damage', ['care-plus']],
  ['cancel filter subscription', ['filter-subscription-manage']],
  ['register product to extend warranty', ['product-registration']],
  ['where is the serial number', ['serial-number']],
  ['reset filter indicator', ['purifier-reset-filter-indicator']],
  ['factory reset Scoutbot', ['vacuum-factory-reset']],
  ['factory reset thermostat', ['thermostat-factory-reset']],
  ['continuous drainage hose dehumidifier', ['dehumidifier-continuous-drain']],
  ['dry laundry with dehumidifier', ['dehumidifier-laundry']],
  ['no-go zones on the map', ['vacuum-maps']],
  ['descale instantaneous water heater', ['heater-descale-instant']],
  ['legionella water temperature', ['heater-temperature-setting']],
  ['clean air conditioner filters', ['heatpump-filter-clean']],
  ['geofencing heating', ['thermostat-geofencing']],
  ['Wi-Fi setup fails 2.4 GHz', ['wifi-24ghz']],
  ['Matter Apple Home', ['matter-setup']],
  ['firmware update failed', ['firmware-stuck']],
  ['parcel arrived damaged', ['damaged-parcel']],
  ['heat pump grants subsidies', ['guide-heat-pump-grants']],
  ['white dust humidifier', ['humidifier-white-dust']],
  ['rotten egg smell hot water', ['heater-rotten-egg-smell']],
  ['steam from outdoor unit in winter', ['heatpump-outdoor-steam', 'error-heatpump-p4']],
  ['invite household members', ['household-sharing']],
  ['dock loud when emptying', ['vacuum-dock-noise']],
];

const PARAPHRASE_QUERIES: readonly QueryRow[] = [
  ["I can't remember my password, how do I get back in?", ['account-recovery']],
  ['somebody else in my house should be able to control the purifier too', ['household-sharing']],
  ["can I send it back if I just don't like it?", ['returns-policy']],
  ['how long until I see my money again after sending something back', ['refund-timing']],
  ['the box came crushed and the front is dented', ['damaged-parcel']],
  ['my robot keeps thinking the black carpet is a staircase', ['error-vacuum-e5', 'vacuum-stops-early']],
  ['the machine in my basement stopped pulling moisture out of the air', ['dehumidifier-no-water']],
  ['puddle under the thing that dries the air', ['dehumidifier-water-on-floor']],
  ['the cleaner thing in the living room stinks like old socks', ['purifier-bad-smell']],
  ["tap water is only tepid since it got frosty outside, it's the little heater under the sink", ['heater-lukewarm-winter']],
  ["we're going away for two weeks, what should I do with the heating", ['thermostat-holiday']],
  ['how do I stop the app from buzzing my phone at night', ['app-notifications']],
  ['does it give off anything harmful like those ioniser machines', ['guide-ozone']],
  ["I'm selling my house, what happens to the smart gadgets", ['transfer-ownership']],
  ['got a new internet box and nothing talks to the app anymore', ['new-router']],
  ['bought a purifier and saw it for less somewhere else a week later', ['price-match']],
  ['the new wardrobe has a chemical whiff that gives me headaches', ['guide-vocs']],
  ['my kid sneezes all spring, would one of these help', ['guide-allergies']],
  ['black spots keep growing on the bedroom wall', ['guide-mould-condensation']],
  ["the thing in the hallway says it's 23 degrees but the lounge is freezing", ['thermostat-calibrate']],
  ['the boiler keeps firing up and stopping constantly', ['thermostat-short-cycling']],
  ['my bills are crazy, how do I spend less keeping warm', ['guide-energy-saving']],
  ['is there money from the government for replacing my gas boiler', ['guide-heat-pump-grants']],
  ["the robot won't go back to its base", ['vacuum-cannot-find-dock']],
  ['the robot sits on its station all night and is still flat in the morning', ['vacuum-not-charging']],
  ['cat fur everywhere and the litter tray stinks', ['guide-pets', 'product-kx-7q33', 'part-fl-3121']],
  ['sounds like popcorn popping inside the tank', ['heater-noises']],
  ['a little pipe on the side of the boiler tank keeps dribbling', ['heater-relief-valve-drip']],
  ['it smells like a damp cellar whenever I turn on the cooling', ['heatpump-musty-smell']],
  ['the unit high up on the wall is leaking onto my sofa', ['heatpump-indoor-drip']],
  ['my bank keeps refusing the purchase', ['payment-declined']],
  ['someone gave me one as a present and I would rather have something else', ['returning-a-gift']],
  ['I lost my phone and now the site wants a six digit code', ['lost-authenticator']],
  ['how do I get rid of the old machine when the new one arrives', ['recycling', 'trade-in']],
  ['can I spread the cost over a few months', ['payment-methods']],
  ['I want to ring someone, when are you open', ['contact-support']],
  ["the baby's room feels dry, what's the safest option", ['guide-nursery']],
  ['can the robot do upstairs and downstairs', ['vacuum-multi-floor']],
  ['the display on the wall went dark', ['thermostat-blank-screen']],
  ['how quiet is quiet enough to sleep next to', ['guide-decibels']],
  ['clothes on the rack take days to dry inside in winter', ['dehumidifier-laundry']],
  ['the forest fires are making the air outside hazy and it gets in', ['guide-wildfire-smoke']],
];

function queries(kind: QueryKind, rows: readonly QueryRow[]): RecallQuery[] {
  return rows.map(([text, relevant]) => ({ text, kind, relevant }));
}

/** The knowledge base and its queries; throws if a query names a document that does not exist. */
export function knowledgeRecallCorpus(): RecallCorpus {
  const documents = allDocuments();
  const ids = new Set(documents.map((document) => document.id));
  if (ids.size !== documents.length) throw new Error('knowledge-recall corpus: duplicate document ids');
  const all = [...queries('identifier', IDENTIFIER_QUERIES), ...queries('keyword', KEYWORD_QUERIES), ...queries('paraphrase', PARAPHRASE_QUERIES)];
  for (const query of all) {
    const unknown = query.relevant.find((id) => !ids.has(id));
    if (unknown !== undefined) throw new Error(`knowledge-recall corpus: query "${query.text}" names unknown document ${unknown}`);
  }
  return { documents, queries: all };
}
