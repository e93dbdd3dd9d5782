/**
 * The US interstate corridors the demo fleet drives, as polylines of waypoints.
 *
 * The waypoints are approximate and hand-placed from memory of the real highways: cities,
 * interchanges and towns the interstate passes, about every 30–80 km so the line follows the road
 * on a map at zoom 6 (a straight line between two cities 300 km apart would cut across mountains
 * and look wrong). They are not survey data: a truck drawn on them can sit a few hundred metres to
 * a couple of kilometres off the real pavement. Metro waypoints mark where the fleet model slows
 * trucks to city speeds.
 *
 * Pure data plus the geometry the fleet model needs (cumulative distance along a corridor, a point
 * at a distance, the bearing there), so it has no imports from the app.
 */

/** One point of a corridor polyline. */
export interface Waypoint {
  lat: number;
  lon: number;
  /** The city, town or interchange the point stands for (labels only). */
  place?: string;
  /** A metro area: trucks slow to city speeds within METRO_RADIUS_KM of it. */
  metro?: boolean;
}

/** A stretch of interstate a truck drives back and forth. */
export interface Corridor {
  /** Stable id (used by the fleet model and the tests). */
  id: string;
  /** The interstate, as signed. */
  highway: string;
  /** The two ends, west/south first. */
  name: string;
  waypoints: Waypoint[];
}

/** A waypoint on the open road. */
const via = (lat: number, lon: number, place?: string): Waypoint => ({ lat, lon, place });
/** A waypoint in a metro area (city speeds nearby). */
const metro = (lat: number, lon: number, place: string): Waypoint => ({ lat, lon, place, metro: true });

/** Around a metro waypoint, trucks keep to city speeds for this many km either side. */
export const METRO_RADIUS_KM = 12;

/** Every corridor, approximate hand-placed waypoints (see the file comment). */
export const CORRIDORS: readonly Corridor[] = [
  {
    id: "i40",
    highway: "I-40",
    name: "Barstow, CA – Nashville, TN",
    waypoints: [
      metro(34.87, -117.0, "Barstow, CA"),
      via(34.827, -116.688, "Newberry Springs, CA"),
      via(34.721, -116.162, "Ludlow, CA"),
      via(34.7, -115.7, "Kelbaker Rd, CA"),
      via(34.76, -115.24, "Essex, CA"),
      via(34.83, -114.95, "Fenner, CA"),
      via(34.84, -114.61, "Needles, CA"),
      via(34.72, -114.49, "Topock, AZ"),
      via(34.87, -114.14, "Yucca, AZ"),
      metro(35.19, -114.05, "Kingman, AZ"),
      via(35.2, -113.76, "Blake Ranch Rd, AZ"),
      via(35.24, -113.47, "Willows Ranch Rd, AZ"),
      via(35.28, -113.16, "Jolly Rd, AZ"),
      via(35.326, -112.875, "Seligman, AZ"),
      via(35.225, -112.48, "Ash Fork, AZ"),
      via(35.25, -112.19, "Williams, AZ"),
      via(35.23, -111.9, "Parks, AZ"),
      metro(35.19, -111.65, "Flagstaff, AZ"),
      via(35.21, -111.41, "Winona, AZ"),
      via(35.03, -111.02, "Meteor Crater, AZ"),
      via(35.02, -110.7, "Winslow, AZ"),
      via(34.96, -110.33, "Joseph City, AZ"),
      via(34.9, -110.16, "Holbrook, AZ"),
      via(35.07, -109.79, "Petrified Forest, AZ"),
      via(35.18, -109.43, "Chambers, AZ"),
      via(35.35, -109.05, "Lupton, AZ"),
      metro(35.52, -108.74, "Gallup, NM"),
      via(35.4, -108.23, "Thoreau, NM"),
      via(35.15, -107.85, "Grants, NM"),
      via(35.04, -107.38, "Laguna, NM"),
      via(35.02, -106.95, "Rio Puerco, NM"),
      metro(35.11, -106.62, "Albuquerque, NM"),
      via(35.08, -106.39, "Tijeras, NM"),
      via(35.0, -106.05, "Moriarty, NM"),
      via(35.01, -105.66, "Clines Corners, NM"),
      via(34.98, -105.17, "Palma, NM"),
      via(34.94, -104.68, "Santa Rosa, NM"),
      via(35.06, -104.27, "Newkirk, NM"),
      via(35.17, -103.72, "Tucumcari, NM"),
      via(35.11, -103.33, "San Jon, NM"),
      via(35.18, -103.04, "Glenrio, NM/TX"),
      via(35.27, -102.67, "Adrian, TX"),
      via(35.24, -102.43, "Vega, TX"),
      via(35.2, -102.1, "Bushland, TX"),
      metro(35.19, -101.83, "Amarillo, TX"),
      via(35.21, -101.38, "Conway, TX"),
      via(35.2, -101.1, "Groom, TX"),
      via(35.23, -100.6, "McLean, TX"),
      via(35.22, -100.25, "Shamrock, TX"),
      via(35.22, -99.87, "Erick, OK"),
      via(35.29, -99.64, "Sayre, OK"),
      via(35.41, -99.4, "Elk City, OK"),
      via(35.51, -98.97, "Clinton, OK"),
      via(35.53, -98.7, "Weatherford, OK"),
      via(35.53, -98.3, "Calumet, OK"),
      via(35.53, -97.95, "El Reno, OK"),
      metro(35.47, -97.52, "Oklahoma City, OK"),
      via(35.33, -96.93, "Shawnee, OK"),
      via(35.38, -96.6, "Prague, OK"),
      via(35.43, -96.3, "Okemah, OK"),
      via(35.44, -95.98, "Henryetta, OK"),
      via(35.47, -95.52, "Checotah, OK"),
      via(35.45, -95.15, "Webbers Falls, OK"),
      via(35.46, -94.79, "Sallisaw, OK"),
      metro(35.44, -94.35, "Fort Smith / Van Buren, AR"),
      via(35.49, -93.83, "Ozark, AR"),
      via(35.47, -93.47, "Clarksville, AR"),
      via(35.28, -93.13, "Russellville, AR"),
      via(35.15, -92.74, "Morrilton, AR"),
      via(35.09, -92.44, "Conway, AR"),
      metro(34.8, -92.23, "North Little Rock, AR"),
      via(34.78, -91.9, "Lonoke, AR"),
      via(34.8, -91.5, "Hazen, AR"),
      via(34.89, -91.19, "Brinkley, AR"),
      via(35.01, -90.79, "Forrest City, AR"),
      via(35.1, -90.45, "Shell Lake, AR"),
      metro(35.15, -90.05, "Memphis, TN"),
      via(35.2, -89.8, "Lakeland, TN"),
      via(35.41, -89.53, "Mason, TN"),
      via(35.56, -89.26, "Brownsville, TN"),
      metro(35.66, -88.82, "Jackson, TN"),
      via(35.79, -88.39, "Parkers Crossroads, TN"),
      via(35.93, -87.98, "Tennessee River, TN"),
      via(35.87, -87.72, "Buffalo, TN"),
      via(36.02, -87.38, "Dickson, TN"),
      via(36.09, -87.11, "Kingston Springs, TN"),
      metro(36.16, -86.78, "Nashville, TN"),
    ],
  },
  {
    id: "i10",
    highway: "I-10",
    name: "Los Angeles, CA – Houston, TX",
    waypoints: [
      metro(34.05, -118.24, "Los Angeles, CA"),
      metro(34.07, -117.94, "West Covina, CA"),
      metro(34.07, -117.6, "Ontario, CA"),
      metro(34.06, -117.18, "Redlands, CA"),
      via(33.92, -116.88, "Banning, CA"),
      via(33.92, -116.55, "North Palm Springs, CA"),
      via(33.72, -116.22, "Indio, CA"),
      via(33.66, -115.72, "Chiriaco Summit, CA"),
      via(33.71, -115.4, "Desert Center, CA"),
      via(33.63, -115.0, "Chuckwalla Valley, CA"),
      via(33.61, -114.6, "Blythe, CA"),
      via(33.66, -114.22, "Quartzsite, AZ"),
      via(33.6, -113.6, "Vicksburg Rd, AZ"),
      via(33.47, -112.94, "Tonopah, AZ"),
      via(33.44, -112.58, "Buckeye, AZ"),
      metro(33.45, -112.07, "Phoenix, AZ"),
      metro(33.3, -111.97, "Chandler, AZ"),
      via(33.1, -111.75, "Sacaton, AZ"),
      via(32.88, -111.7, "Casa Grande, AZ"),
      via(32.64, -111.4, "Picacho Peak, AZ"),
      via(32.44, -111.22, "Marana, AZ"),
      metro(32.22, -110.98, "Tucson, AZ"),
      via(32.03, -110.72, "Vail, AZ"),
      via(31.97, -110.3, "Benson, AZ"),
      via(32.25, -109.83, "Willcox, AZ"),
      via(32.32, -109.49, "Bowie, AZ"),
      via(32.27, -109.22, "San Simon, AZ"),
      via(32.35, -108.71, "Lordsburg, NM"),
      via(32.14, -108.38, "Separ, NM"),
      via(32.27, -107.76, "Deming, NM"),
      via(32.3, -107.27, "Akela, NM"),
      metro(32.32, -106.78, "Las Cruces, NM"),
      via(32.0, -106.6, "Anthony, TX"),
      metro(31.76, -106.45, "El Paso, TX"),
      via(31.5, -106.15, "Fabens, TX"),
      via(31.3, -105.86, "Fort Hancock, TX"),
      via(31.17, -105.36, "Sierra Blanca, TX"),
      via(31.04, -104.83, "Van Horn, TX"),
      via(31.06, -104.22, "Kent, TX"),
      via(30.98, -103.75, "Balmorhea, TX"),
      via(30.93, -103.3, "Saragosa Rd, TX"),
      via(30.89, -102.88, "Fort Stockton, TX"),
      via(30.9, -102.3, "Bakersfield, TX"),
      via(30.76, -101.8, "Sheffield, TX"),
      via(30.71, -101.2, "Ozona, TX"),
      via(30.57, -100.64, "Sonora, TX"),
      via(30.5, -100.1, "Roosevelt, TX"),
      via(30.49, -99.77, "Junction, TX"),
      via(30.24, -99.43, "Mountain Home, TX"),
      via(30.05, -99.14, "Kerrville, TX"),
      via(29.97, -98.9, "Comfort, TX"),
      via(29.79, -98.73, "Boerne, TX"),
      metro(29.42, -98.49, "San Antonio, TX"),
      via(29.57, -97.96, "Seguin, TX"),
      via(29.69, -97.65, "Luling, TX"),
      via(29.69, -97.11, "Flatonia, TX"),
      via(29.7, -96.78, "Weimar, TX"),
      via(29.71, -96.54, "Columbus, TX"),
      via(29.78, -96.16, "Sealy, TX"),
      metro(29.79, -95.82, "Katy, TX"),
      metro(29.76, -95.37, "Houston, TX"),
    ],
  },
  {
    id: "i35",
    highway: "I-35",
    name: "Laredo, TX – Kansas City, MO",
    waypoints: [
      metro(27.53, -99.49, "Laredo, TX"),
      via(28.04, -99.36, "Encinal, TX"),
      via(28.44, -99.24, "Cotulla, TX"),
      via(28.67, -99.17, "Dilley, TX"),
      via(28.89, -99.1, "Pearsall, TX"),
      via(29.23, -98.79, "Lytle, TX"),
      metro(29.42, -98.49, "San Antonio, TX"),
      via(29.7, -98.12, "New Braunfels, TX"),
      via(29.88, -97.94, "San Marcos, TX"),
      metro(30.27, -97.74, "Austin, TX"),
      metro(30.51, -97.68, "Round Rock, TX"),
      via(30.63, -97.68, "Georgetown, TX"),
      via(30.88, -97.49, "Salado, TX"),
      via(31.1, -97.34, "Temple, TX"),
      metro(31.55, -97.15, "Waco, TX"),
      via(32.01, -97.13, "Hillsboro, TX"),
      via(32.39, -96.85, "Waxahachie, TX"),
      metro(32.78, -96.8, "Dallas, TX"),
      via(33.0, -96.98, "Carrollton, TX"),
      via(33.21, -97.13, "Denton, TX"),
      via(33.63, -97.14, "Gainesville, TX"),
      via(33.94, -97.12, "Marietta, OK"),
      via(34.17, -97.13, "Ardmore, OK"),
      via(34.5, -97.12, "Davis, OK"),
      via(34.74, -97.22, "Pauls Valley, OK"),
      via(35.01, -97.36, "Purcell, OK"),
      metro(35.22, -97.44, "Norman, OK"),
      metro(35.47, -97.52, "Oklahoma City, OK"),
      via(35.65, -97.46, "Edmond, OK"),
      via(35.88, -97.43, "Guthrie, OK"),
      via(36.29, -97.29, "Perry, OK"),
      via(36.68, -97.31, "Tonkawa, OK"),
      via(36.92, -97.34, "Braman, OK"),
      via(37.27, -97.4, "Wellington, KS"),
      metro(37.69, -97.34, "Wichita, KS"),
      via(37.82, -96.86, "El Dorado, KS"),
      via(38.04, -96.64, "Cassoday, KS"),
      via(38.4, -96.18, "Emporia, KS"),
      via(38.41, -95.85, "Lebo, KS"),
      via(38.62, -95.27, "Ottawa, KS"),
      via(38.8, -94.95, "Gardner, KS"),
      metro(38.88, -94.82, "Olathe, KS"),
      metro(39.1, -94.58, "Kansas City, MO"),
    ],
  },
  {
    id: "i80",
    highway: "I-80",
    name: "Sacramento, CA – Omaha, NE",
    waypoints: [
      metro(38.58, -121.49, "Sacramento, CA"),
      metro(38.75, -121.29, "Roseville, CA"),
      via(38.9, -121.07, "Auburn, CA"),
      via(39.1, -120.95, "Colfax, CA"),
      via(39.3, -120.67, "Emigrant Gap, CA"),
      via(39.33, -120.18, "Truckee, CA"),
      metro(39.53, -119.81, "Reno, NV"),
      via(39.61, -119.25, "Fernley, NV"),
      via(39.82, -118.93, "Hot Springs Mountains, NV"),
      via(40.18, -118.47, "Lovelock, NV"),
      via(40.47, -118.3, "Rye Patch, NV"),
      via(40.67, -118.11, "Imlay, NV"),
      via(40.97, -117.74, "Winnemucca, NV"),
      via(40.95, -117.49, "Golconda, NV"),
      via(40.64, -116.93, "Battle Mountain, NV"),
      via(40.7, -116.5, "Dunphy, NV"),
      via(40.71, -116.1, "Carlin, NV"),
      via(40.83, -115.76, "Elko, NV"),
      via(40.95, -115.4, "Halleck, NV"),
      via(41.11, -114.96, "Wells, NV"),
      via(41.03, -114.48, "Oasis, NV"),
      via(40.74, -114.07, "West Wendover, NV"),
      via(40.73, -113.7, "Bonneville Salt Flats, UT"),
      via(40.73, -113.3, "Knolls, UT"),
      via(40.76, -112.8, "Delle, UT"),
      via(40.68, -112.27, "Lake Point, UT"),
      metro(40.76, -111.89, "Salt Lake City, UT"),
      via(40.73, -111.54, "Kimball Junction, UT"),
      via(40.81, -111.41, "Wanship, UT"),
      via(40.92, -111.4, "Coalville, UT"),
      via(40.97, -111.44, "Echo, UT"),
      via(41.27, -110.96, "Evanston, WY"),
      via(41.3, -110.38, "Fort Bridger, WY"),
      via(41.54, -110.06, "Little America, WY"),
      via(41.53, -109.47, "Green River, WY"),
      via(41.59, -109.22, "Rock Springs, WY"),
      via(41.68, -108.79, "Point of Rocks, WY"),
      via(41.68, -108.38, "Table Rock, WY"),
      via(41.67, -107.97, "Wamsutter, WY"),
      via(41.72, -107.63, "Continental Divide, WY"),
      via(41.79, -107.24, "Rawlins, WY"),
      via(41.76, -106.85, "Walcott Junction, WY"),
      via(41.68, -106.5, "Elk Mountain, WY"),
      via(41.59, -106.21, "Arlington, WY"),
      via(41.31, -105.59, "Laramie, WY"),
      via(41.24, -105.43, "Sherman Summit, WY"),
      metro(41.14, -104.82, "Cheyenne, WY"),
      via(41.18, -104.07, "Pine Bluffs, WY"),
      via(41.24, -103.66, "Kimball, NE"),
      via(41.14, -102.98, "Sidney, NE"),
      via(41.09, -102.47, "Chappell, NE"),
      via(41.06, -102.07, "Big Springs, NE"),
      via(41.13, -101.72, "Ogallala, NE"),
      via(41.14, -101.36, "Sutherland, NE"),
      via(41.12, -100.77, "North Platte, NE"),
      via(40.98, -100.37, "Brady, NE"),
      via(40.86, -99.99, "Cozad, NE"),
      via(40.78, -99.74, "Lexington, NE"),
      via(40.72, -99.37, "Elm Creek, NE"),
      via(40.68, -99.08, "Kearney, NE"),
      via(40.78, -98.73, "Shelton, NE"),
      via(40.8, -98.34, "Grand Island, NE"),
      via(40.83, -98.0, "Aurora, NE"),
      via(40.87, -97.59, "York, NE"),
      via(40.87, -97.1, "Seward, NE"),
      metro(40.85, -96.7, "Lincoln, NE"),
      via(40.99, -96.4, "Ashland, NE"),
      via(41.14, -96.24, "Gretna, NE"),
      metro(41.25, -95.98, "Omaha, NE"),
    ],
  },
  {
    id: "i95",
    highway: "I-95",
    name: "Jacksonville, FL – New York, NY",
    waypoints: [
      metro(30.33, -81.66, "Jacksonville, FL"),
      via(30.63, -81.6, "Yulee, FL"),
      via(30.8, -81.66, "Kingsland, GA"),
      via(31.15, -81.49, "Brunswick, GA"),
      via(31.37, -81.43, "Darien, GA"),
      via(31.8, -81.38, "Midway, GA"),
      metro(32.08, -81.23, "Savannah, GA"),
      via(32.29, -81.08, "Hardeeville, SC"),
      via(32.62, -80.87, "Point South, SC"),
      via(32.9, -80.67, "Walterboro, SC"),
      via(33.19, -80.58, "St. George, SC"),
      via(33.48, -80.48, "Santee, SC"),
      via(33.69, -80.21, "Manning, SC"),
      via(33.9, -80.02, "Turbeville, SC"),
      via(34.2, -79.76, "Florence, SC"),
      via(34.42, -79.37, "Dillon, SC"),
      via(34.62, -79.01, "Lumberton, NC"),
      via(34.85, -78.92, "St. Pauls, NC"),
      metro(35.05, -78.82, "Fayetteville, NC"),
      via(35.31, -78.61, "Dunn, NC"),
      via(35.51, -78.34, "Smithfield, NC"),
      via(35.72, -77.92, "Wilson, NC"),
      via(35.94, -77.79, "Rocky Mount, NC"),
      via(36.2, -77.7, "Enfield, NC"),
      via(36.46, -77.65, "Roanoke Rapids, NC"),
      via(36.69, -77.54, "Emporia, VA"),
      via(36.95, -77.4, "Stony Creek, VA"),
      metro(37.23, -77.4, "Petersburg, VA"),
      metro(37.54, -77.44, "Richmond, VA"),
      via(37.76, -77.48, "Ashland, VA"),
      via(37.9, -77.41, "Carmel Church, VA"),
      via(38.3, -77.46, "Fredericksburg, VA"),
      via(38.57, -77.33, "Dumfries, VA"),
      metro(38.78, -77.18, "Springfield, VA"),
      metro(38.79, -77.03, "Woodrow Wilson Bridge"),
      metro(39.02, -76.93, "College Park, MD"),
      via(39.15, -76.84, "Laurel, MD"),
      metro(39.26, -76.58, "Baltimore, MD"),
      via(39.37, -76.46, "White Marsh, MD"),
      via(39.57, -76.11, "Havre de Grace, MD"),
      via(39.61, -75.86, "Elkton, MD"),
      metro(39.74, -75.55, "Wilmington, DE"),
      via(39.85, -75.37, "Chester, PA"),
      metro(39.95, -75.14, "Philadelphia, PA"),
      via(40.1, -74.82, "Delaware River Bridge, PA/NJ"),
      via(40.22, -74.62, "NJ Turnpike exit 7A, NJ"),
      via(40.47, -74.41, "New Brunswick, NJ"),
      metro(40.71, -74.16, "Newark, NJ"),
      metro(40.85, -73.96, "George Washington Bridge, NY"),
    ],
  },
  {
    id: "i75",
    highway: "I-75",
    name: "Atlanta, GA – Detroit, MI",
    waypoints: [
      metro(33.75, -84.39, "Atlanta, GA"),
      metro(33.95, -84.52, "Marietta, GA"),
      via(34.17, -84.8, "Cartersville, GA"),
      via(34.5, -84.95, "Calhoun, GA"),
      via(34.77, -84.97, "Dalton, GA"),
      metro(35.01, -85.21, "Chattanooga, TN"),
      via(35.16, -84.88, "Cleveland, TN"),
      via(35.44, -84.59, "Athens, TN"),
      via(35.6, -84.46, "Sweetwater, TN"),
      via(35.8, -84.27, "Lenoir City, TN"),
      metro(35.99, -84.0, "Knoxville, TN"),
      via(36.22, -84.16, "Lake City, TN"),
      via(36.37, -84.19, "Caryville, TN"),
      via(36.59, -84.13, "Jellico, TN"),
      via(36.74, -84.16, "Williamsburg, KY"),
      via(36.95, -84.1, "Corbin, KY"),
      via(37.13, -84.08, "London, KY"),
      via(37.35, -84.34, "Mount Vernon, KY"),
      via(37.57, -84.29, "Berea, KY"),
      via(37.75, -84.29, "Richmond, KY"),
      metro(38.05, -84.43, "Lexington, KY"),
      via(38.21, -84.55, "Georgetown, KY"),
      via(38.45, -84.57, "Sadieville, KY"),
      via(38.64, -84.56, "Williamstown, KY"),
      via(38.8, -84.6, "Walton, KY"),
      metro(38.99, -84.63, "Florence, KY"),
      metro(39.1, -84.51, "Cincinnati, OH"),
      metro(39.27, -84.41, "Sharonville, OH"),
      via(39.49, -84.31, "Middletown, OH"),
      metro(39.76, -84.19, "Dayton, OH"),
      via(40.04, -84.2, "Troy, OH"),
      via(40.28, -84.16, "Sidney, OH"),
      via(40.57, -84.19, "Wapakoneta, OH"),
      via(40.74, -84.11, "Lima, OH"),
      via(40.9, -83.88, "Beaverdam, OH"),
      via(41.04, -83.65, "Findlay, OH"),
      via(41.37, -83.65, "Bowling Green, OH"),
      metro(41.65, -83.54, "Toledo, OH"),
      via(41.92, -83.4, "Monroe, MI"),
      via(42.12, -83.25, "Gibraltar, MI"),
      metro(42.33, -83.05, "Detroit, MI"),
    ],
  },
  {
    id: "i70",
    highway: "I-70",
    name: "Denver, CO – Indianapolis, IN",
    waypoints: [
      metro(39.78, -104.99, "Denver, CO"),
      metro(39.77, -104.78, "Aurora, CO"),
      via(39.76, -104.43, "Bennett, CO"),
      via(39.62, -104.04, "Deer Trail, CO"),
      via(39.44, -103.86, "Agate, CO"),
      via(39.26, -103.69, "Limon, CO"),
      via(39.29, -103.35, "Genoa, CO"),
      via(39.29, -103.07, "Flagler, CO"),
      via(39.3, -102.6, "Stratton, CO"),
      via(39.3, -102.27, "Burlington, CO"),
      via(39.35, -101.71, "Goodland, KS"),
      via(39.39, -101.05, "Colby, KS"),
      via(39.11, -100.85, "Oakley, KS"),
      via(39.06, -100.24, "Quinter, KS"),
      via(39.02, -99.88, "WaKeeney, KS"),
      via(38.88, -99.33, "Hays, KS"),
      via(38.89, -98.86, "Russell, KS"),
      via(38.83, -98.47, "Wilson, KS"),
      via(38.85, -98.1, "Ellsworth, KS"),
      via(38.84, -97.61, "Salina, KS"),
      via(38.92, -97.21, "Abilene, KS"),
      via(39.03, -96.83, "Junction City, KS"),
      via(39.05, -96.3, "Wamego, KS"),
      metro(39.05, -95.68, "Topeka, KS"),
      via(39.0, -95.25, "Lawrence, KS"),
      metro(39.1, -94.58, "Kansas City, MO"),
      metro(39.02, -94.28, "Blue Springs, MO"),
      via(38.99, -94.13, "Oak Grove, MO"),
      via(38.97, -93.57, "Concordia, MO"),
      via(38.98, -93.2, "Marshall Junction, MO"),
      via(38.97, -92.74, "Boonville, MO"),
      metro(38.95, -92.33, "Columbia, MO"),
      via(38.95, -91.94, "Kingdom City, MO"),
      via(38.9, -91.56, "Danville, MO"),
      via(38.81, -91.14, "Warrenton, MO"),
      via(38.81, -90.85, "Wentzville, MO"),
      metro(38.78, -90.6, "St. Peters, MO"),
      metro(38.64, -90.18, "St. Louis, MO"),
      via(38.73, -89.88, "Troy, IL"),
      via(38.74, -89.67, "Highland, IL"),
      via(38.9, -89.38, "Pocahontas, IL"),
      via(38.96, -89.09, "Vandalia, IL"),
      via(39.03, -88.8, "St. Elmo, IL"),
      via(39.12, -88.54, "Effingham, IL"),
      via(39.3, -87.99, "Casey, IL"),
      via(39.39, -87.69, "Marshall, IL"),
      metro(39.47, -87.41, "Terre Haute, IN"),
      via(39.52, -87.13, "Brazil, IN"),
      via(39.51, -86.79, "Cloverdale, IN"),
      via(39.6, -86.6, "Stilesville, IN"),
      via(39.7, -86.4, "Plainfield, IN"),
      metro(39.77, -86.16, "Indianapolis, IN"),
    ],
  },
  {
    id: "i5",
    highway: "I-5",
    name: "Los Angeles, CA – Seattle, WA",
    waypoints: [
      metro(34.05, -118.24, "Los Angeles, CA"),
      metro(34.15, -118.28, "Glendale, CA"),
      metro(34.4, -118.56, "Santa Clarita, CA"),
      via(34.6, -118.7, "Pyramid Lake, CA"),
      via(34.79, -118.85, "Gorman, CA"),
      via(35.0, -118.95, "Wheeler Ridge, CA"),
      via(35.35, -119.35, "Stockdale Hwy, CA"),
      via(35.62, -119.69, "Lost Hills, CA"),
      via(36.01, -119.96, "Kettleman City, CA"),
      via(36.25, -120.24, "Coalinga, CA"),
      via(36.6, -120.6, "Panoche Rd, CA"),
      via(36.85, -120.8, "Dos Palos Y, CA"),
      via(37.1, -121.01, "Santa Nella, CA"),
      via(37.47, -121.18, "Patterson, CA"),
      via(37.63, -121.3, "Vernalis, CA"),
      metro(37.96, -121.3, "Stockton, CA"),
      via(38.21, -121.43, "Thornton, CA"),
      metro(38.58, -121.5, "Sacramento, CA"),
      via(38.68, -121.77, "Woodland, CA"),
      via(38.88, -121.97, "Dunnigan, CA"),
      via(39.15, -122.15, "Williams, CA"),
      via(39.52, -122.19, "Willows, CA"),
      via(39.93, -122.18, "Corning, CA"),
      via(40.18, -122.24, "Red Bluff, CA"),
      via(40.4, -122.3, "Cottonwood, CA"),
      metro(40.59, -122.39, "Redding, CA"),
      via(40.9, -122.38, "Lakehead, CA"),
      via(41.21, -122.27, "Dunsmuir, CA"),
      via(41.42, -122.39, "Weed, CA"),
      via(41.73, -122.63, "Yreka, CA"),
      via(42.07, -122.6, "Siskiyou Summit, CA/OR"),
      via(42.19, -122.7, "Ashland, OR"),
      metro(42.33, -122.87, "Medford, OR"),
      via(42.44, -123.33, "Grants Pass, OR"),
      via(42.69, -123.4, "Wolf Creek, OR"),
      via(42.93, -123.28, "Canyonville, OR"),
      via(43.21, -123.35, "Roseburg, OR"),
      via(43.53, -123.27, "Rice Hill, OR"),
      via(43.8, -123.06, "Cottage Grove, OR"),
      metro(44.05, -123.02, "Eugene, OR"),
      via(44.38, -123.06, "Halsey, OR"),
      via(44.63, -123.06, "Albany, OR"),
      metro(44.94, -123.01, "Salem, OR"),
      via(45.14, -122.85, "Woodburn, OR"),
      metro(45.3, -122.77, "Wilsonville, OR"),
      metro(45.52, -122.68, "Portland, OR"),
      metro(45.64, -122.66, "Vancouver, WA"),
      via(45.9, -122.74, "Woodland, WA"),
      via(46.14, -122.9, "Kelso, WA"),
      via(46.27, -122.9, "Castle Rock, WA"),
      via(46.48, -122.9, "Toledo, WA"),
      via(46.72, -122.97, "Centralia, WA"),
      metro(47.04, -122.9, "Olympia, WA"),
      via(47.16, -122.5, "Lakewood, WA"),
      metro(47.24, -122.44, "Tacoma, WA"),
      metro(47.31, -122.31, "Federal Way, WA"),
      metro(47.61, -122.33, "Seattle, WA"),
    ],
  },
  {
    id: "i81",
    highway: "I-81",
    name: "Dandridge, TN – Harrisburg, PA",
    waypoints: [
      via(36.06, -83.39, "I-40 junction, Dandridge, TN"),
      via(36.17, -83.22, "Morristown, TN"),
      via(36.27, -83.03, "Bulls Gap, TN"),
      via(36.33, -82.84, "Greeneville exit, TN"),
      via(36.51, -82.51, "I-26 junction, TN"),
      metro(36.6, -82.19, "Bristol, TN/VA"),
      via(36.71, -81.97, "Abingdon, VA"),
      via(36.83, -81.52, "Marion, VA"),
      via(36.95, -81.08, "Wytheville, VA"),
      via(37.1, -80.69, "Dublin, VA"),
      via(37.14, -80.4, "Christiansburg, VA"),
      metro(37.32, -80.03, "Salem / Roanoke, VA"),
      via(37.41, -79.88, "Troutville, VA"),
      via(37.53, -79.68, "Buchanan, VA"),
      via(37.78, -79.44, "Lexington, VA"),
      via(37.96, -79.23, "Raphine, VA"),
      via(38.15, -79.07, "Staunton, VA"),
      via(38.45, -78.87, "Harrisonburg, VA"),
      via(38.65, -78.67, "New Market, VA"),
      via(38.88, -78.51, "Woodstock, VA"),
      via(39.0, -78.36, "Strasburg, VA"),
      metro(39.18, -78.16, "Winchester, VA"),
      via(39.46, -77.96, "Martinsburg, WV"),
      metro(39.64, -77.72, "Hagerstown, MD"),
      via(39.94, -77.66, "Chambersburg, PA"),
      via(40.05, -77.52, "Shippensburg, PA"),
      via(40.2, -77.19, "Carlisle, PA"),
      metro(40.27, -76.88, "Harrisburg, PA"),
    ],
  },
];

/** Mean Earth radius (km) for great-circle distances. */
const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

/** Great-circle distance between two points, km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDeg(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLon = (b.lon - a.lon) * RAD;
  const y = Math.sin(dLon) * Math.cos(b.lat * RAD);
  const x = Math.cos(a.lat * RAD) * Math.sin(b.lat * RAD) - Math.sin(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.cos(dLon);
  return ((Math.atan2(y, x) / RAD) % 360 + 360) % 360;
}

/** A corridor with the distances the fleet model walks on, computed once. */
export interface CorridorRoute {
  corridor: Corridor;
  /** Distance from the first waypoint to each waypoint, km (same length as waypoints). */
  cumulativeKm: number[];
  lengthKm: number;
  /** Stretches (km from the start) within METRO_RADIUS_KM of a metro waypoint, merged, in order. */
  metroZones: Array<{ fromKm: number; toKm: number; place: string }>;
}

/** Precomputes distances and metro zones for a corridor. */
export function routeOf(corridor: Corridor): CorridorRoute {
  const cumulativeKm = [0];
  for (let i = 1; i < corridor.waypoints.length; i++) cumulativeKm.push(cumulativeKm[i - 1] + distanceKm(corridor.waypoints[i - 1], corridor.waypoints[i]));
  const lengthKm = cumulativeKm[cumulativeKm.length - 1];
  const metroZones: CorridorRoute["metroZones"] = [];
  corridor.waypoints.forEach((waypoint, i) => {
    if (!waypoint.metro) return;
    const fromKm = Math.max(0, cumulativeKm[i] - METRO_RADIUS_KM);
    const toKm = Math.min(lengthKm, cumulativeKm[i] + METRO_RADIUS_KM);
    const last = metroZones[metroZones.length - 1];
    // Neighbouring metro waypoints (Los Angeles – Ontario) make one continuous city stretch.
    if (last && fromKm <= last.toKm) last.toKm = toKm;
    else metroZones.push({ fromKm, toKm, place: waypoint.place ?? "" });
  });
  return { corridor, cumulativeKm, lengthKm, metroZones };
}

/** The point at `km` from the start of the route (clamped to its ends) and the bearing of travel there. */
export function pointAt(route: CorridorRoute, km: number, direction: 1 | -1): { lat: number; lon: number; headingDeg: number } {
  const { waypoints } = route.corridor;
  const at = Math.min(route.lengthKm, Math.max(0, km));
  // Binary search for the segment holding `at` (corridors have up to ~100 waypoints; this runs per publish).
  let lo = 0;
  let hi = waypoints.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (route.cumulativeKm[mid] <= at) lo = mid;
    else hi = mid;
  }
  const a = waypoints[lo];
  const b = waypoints[hi];
  const span = route.cumulativeKm[hi] - route.cumulativeKm[lo];
  const f = span > 0 ? (at - route.cumulativeKm[lo]) / span : 0;
  // Linear interpolation in degrees is within metres of the great circle over segments this short.
  const lat = a.lat + (b.lat - a.lat) * f;
  const lon = a.lon + (b.lon - a.lon) * f;
  const headingDeg = direction === 1 ? bearingDeg(a, b) : bearingDeg(b, a);
  return { lat, lon, headingDeg };
}

/** The shortest distance from a point to the corridor polyline, km (for tests and sanity checks). */
export function distanceToRouteKm(route: CorridorRoute, point: { lat: number; lon: number }): number {
  const { waypoints } = route.corridor;
  let best = Infinity;
  for (let i = 1; i < waypoints.length; i++) {
    const a = waypoints[i - 1];
    const b = waypoints[i];
    // Project on a local flat frame around a: fine for segments under 150 km.
    const kx = Math.cos(a.lat * RAD) * 111.32;
    const ky = 110.57;
    const bx = (b.lon - a.lon) * kx;
    const by = (b.lat - a.lat) * ky;
    const px = (point.lon - a.lon) * kx;
    const py = (point.lat - a.lat) * ky;
    const len2 = bx * bx + by * by;
    const t = len2 > 0 ? Math.max(0, Math.min(1, (px * bx + py * by) / len2)) : 0;
    best = Math.min(best, Math.hypot(px - t * bx, py - t * by));
  }
  return best;
}
